import Foundation

/// Builds the exact bytes of an event, stored once and sent unchanged to every subscription on every attempt.
public enum WebhookEventBody {
    /// `{"type":...,"timestamp":...,"data":{...}}` in that key order; `data`'s keys are sorted and its dates are
    /// ISO 8601 with milliseconds, so the same value always gives the same bytes.
    public static func make(type: String, timestamp: Date, data: some Encodable) throws -> String {
        let encoder = JSONCoding.encoder
        let typeJSON = String(decoding: try encoder.encode(type), as: UTF8.self)
        let timestampJSON = String(decoding: try encoder.encode(timestamp), as: UTF8.self)
        let dataJSON = String(decoding: try encoder.encode(data), as: UTF8.self)
        return #"{"type":\#(typeJSON),"timestamp":\#(timestampJSON),"data":\#(dataJSON)}"#
    }

    /// A new event id (the `webhook-id` of every delivery of the event): `evt_` and a UUIDv7 in hex, so ids sort
    /// by creation time.
    public static func makeID(now: Date = Date()) -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let milliseconds = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (8 * (5 - index))) }
        bytes[6] = 0x70 | (bytes[6] & 0x0F)
        bytes[8] = 0x80 | (bytes[8] & 0x3F)
        return "evt_" + Hex.string(bytes)
    }
}
