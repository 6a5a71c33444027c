import BookingBridge
import Foundation
import PostgresNIO

/// Rows written straight into the tables, with the timestamps a retention or erasure test needs.
enum RetentionFixtures {
    static let day: TimeInterval = 86400

    @discardableResult
    static func intent(
        _ db: Database, email: String = "someone@example.com", status: String = "booked", age: TimeInterval = 0,
        finished: Bool = true, lockedFor: TimeInterval? = nil
    ) async throws -> UUID {
        let id = UUID()
        let created = Date().addingTimeInterval(-age)
        let finishedAt: Date? = finished ? created : nil
        let lockedUntil: Date? = lockedFor.map { Date().addingTimeInterval($0) }
        try await db.client.query(
            """
            INSERT INTO intents (id, source, idempotency_key, status, raw, request, email, created_at, updated_at,
                                 finished_at, locked_by, locked_until)
            VALUES (\(id), 'website', \(id.uuidString), \(status), '{}'::jsonb, '{}'::jsonb, \(email), \(created),
                    \(created), \(finishedAt), \(lockedUntil.map { _ in "worker-1" }), \(lockedUntil))
            """)
        return id
    }

    static func attempt(_ db: Database, intent: UUID) async throws {
        try await db.client.query("INSERT INTO attempts (intent_id, stage, outcome) VALUES (\(intent), 'book', 'ok')")
    }

    static func booking(_ db: Database, intent: UUID) async throws {
        try await db.client.query(
            """
            INSERT INTO bookings (intent_id, slug, start_time, is_offline, response)
            VALUES (\(intent), 'jane-doe/intro-30', now(), false, '{}'::jsonb)
            """)
    }

    static func subscription(_ db: Database) async throws -> UUID {
        let id = UUID()
        try await db.client.query(
            """
            INSERT INTO subscriptions (id, url, event_types, secret)
            VALUES (\(id), 'http://127.0.0.1:9/hook', ARRAY['*'], 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')
            """)
        return id
    }

    static func event(_ db: Database, intent: UUID?, age: TimeInterval = 0) async throws -> String {
        let id = "msg_" + UUID().uuidString
        try await db.client.query(
            """
            INSERT INTO events (id, type, source, intent_id, body, created_at)
            VALUES (\(id), 'booking.confirmed', 'website', \(intent), '{}', \(Date().addingTimeInterval(-age)))
            """)
        return id
    }

    /// A delivery last changed `age` ago, with `attempts` rows in delivery_attempts.
    @discardableResult
    static func delivery(
        _ db: Database, event: String, subscription: UUID, status: String = "delivered", age: TimeInterval = 0,
        attempts: Int = 1
    ) async throws -> Int64 {
        let at = Date().addingTimeInterval(-age)
        let rows = try await db.client.query(
            """
            INSERT INTO deliveries (event_id, subscription_id, status, attempts, created_at, updated_at)
            VALUES (\(event), \(subscription), \(status), \(attempts), \(at), \(at))
            RETURNING id
            """)
        var id: Int64 = 0
        for try await value in rows.decode(Int64.self) { id = value }
        for n in 0..<attempts {
            try await db.client.query(
                """
                INSERT INTO delivery_attempts (delivery_id, attempt, started_at, duration_ms, outcome, status_code)
                VALUES (\(id), \(n + 1), \(at), 12, 'delivered', 200)
                """)
        }
        return id
    }

    static func count(_ db: Database, _ table: String) async throws -> Int {
        try await db.client.query("SELECT count(*) FROM \(unescaped: table)").decode(Int.self).first { _ in true } ?? -1
    }

    static func exists(_ db: Database, intent: UUID) async throws -> Bool {
        try await db.client.query("SELECT count(*) FROM intents WHERE id = \(intent)").decode(Int.self)
            .first { _ in true } == 1
    }
}
