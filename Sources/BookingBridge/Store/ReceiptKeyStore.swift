import Foundation
import PostgresNIO

/// The key visitor receipts are signed with (`receipt_key`, one per database), read once per process.
final class ReceiptKeyStore: Sendable {
    let database: Database
    private let cached = LockedValue<[UInt8]?>(nil)

    init(database: Database) {
        self.database = database
    }

    func key() async throws -> [UInt8] {
        if let key = cached.withLock({ $0 }) { return key }
        let rows = try await database.query("SELECT key FROM receipt_key WHERE id = 1")
        for try await text in rows.decode(String.self) {
            let key = Array(text.utf8)
            cached.withLock { $0 = key }
            return key
        }
        throw StoreError(description: "receipt_key has no row; run the migrations")
    }
}

extension BookingStore {
    /// HubSpot's answer for an intent, when it booked (or hit the offline trap).
    static func response(intentID: UUID, database: Database) async throws -> HubSpotBookingResponse? {
        let rows = try await database.query(
            "SELECT response::text FROM bookings WHERE intent_id = \(intentID)", logger: database.logger)
        for try await text in rows.decode(String.self) {
            return try? JSONDecoder().decode(HubSpotBookingResponse.self, from: Data(text.utf8))
        }
        return nil
    }
}
