import Foundation

/// Conversions between HubSpot's two time formats: ISO 8601 date-time strings (book request and response) and
/// epoch milliseconds as 64-bit integers (busy times, availability slots).
public enum HubSpotTimestamp {
    /// The ISO 8601 text for an instant given in epoch milliseconds, e.g. `2026-12-03T14:30:00Z` (milliseconds only
    /// when not zero: `2026-12-03T14:30:00.250Z`).
    public static func iso8601(millis: Int64) -> String {
        let date = Date(timeIntervalSince1970: Double(millis) / 1000)
        if millis % 1000 == 0 {
            return date.formatted(Date.ISO8601FormatStyle())
        }
        return date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// Epoch milliseconds for an ISO 8601 date-time, with or without fractional seconds, `Z` or an offset.
    public static func millis(iso8601 text: String) -> Int64? {
        let date =
            (try? Date.ISO8601FormatStyle().parse(text))
            ?? (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
        guard let date else { return nil }
        return Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// The instant of epoch milliseconds.
    public static func date(_ millis: Int64) -> Date {
        Date(timeIntervalSince1970: Double(millis) / 1000)
    }

    /// Epoch milliseconds for a `Date`.
    public static func millis(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// Decodes an ISO 8601 string (or, as HubSpot also sends, a number of epoch milliseconds) into epoch millis.
    static func decodeMillis<K: CodingKey>(_ container: KeyedDecodingContainer<K>, forKey key: K) throws -> Int64 {
        if let number = try? container.decode(Int64.self, forKey: key) {
            return number
        }
        let text = try container.decode(String.self, forKey: key)
        guard let millis = millis(iso8601: text) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: container, debugDescription: "not an ISO 8601 date-time: \(text)")
        }
        return millis
    }
}
