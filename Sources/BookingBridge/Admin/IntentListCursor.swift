import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The opaque `cursor` text: base64url of `v1:<microseconds>:<uuid>`.
///
/// A cursor is decoded only when its time lies in years 1 to 9999: the listing turns it into a `timestamptz`, and a
/// tampered value beyond PostgreSQL's range would make the query fail (a 500) instead of a 400 naming the cursor.
enum IntentListCursor {
    /// 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z in microseconds since 1970.
    static let validMicros: ClosedRange<Int64> = -62_135_596_800_000_000...253_402_300_799_999_999

    static func encode(_ cursor: IntentStore.ListCursor) -> String {
        Data("v1:\(cursor.createdAtMicros):\(cursor.id.uuidString.lowercased())".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: String) -> IntentStore.ListCursor? {
        guard text.count <= 200 else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let plain = String(data: data, encoding: .utf8) else {
            return nil
        }
        let parts = plain.split(separator: ":")
        guard parts.count == 3, parts[0] == "v1", let micros = Int64(parts[1]), validMicros.contains(micros),
            let id = UUID(uuidString: String(parts[2]))
        else { return nil }
        return .init(createdAtMicros: micros, id: id)
    }
}
