/// Paths of the Scheduler API, version 2026-03.
enum HubSpotPath {
    static let prefix = "/scheduler/2026-03/meetings/meeting-links"
    static let book = prefix + "/book"
    static let token = "/oauth/2026-03/token"
    static let crmContacts = "/crm/objects/2026-03/contacts"
    static let crmMeetingSearch = "/crm/objects/2026-03/meetings/search"

    static func bookingInfo(slug: String) -> String { book + "/" + encodeSegment(slug) }
    static func availability(slug: String) -> String { book + "/availability-page/" + encodeSegment(slug) }

    /// Percent-encodes one path segment: every byte outside RFC 3986's unreserved set, `/` included, so that
    /// `team/intro` becomes `team%2Fintro`.
    static func encodeSegment(_ value: String) -> String {
        percentEncode(value)
    }

    /// Builds `?a=b&c=d` from the items that have a value, each name and value percent-encoded.
    static func query(_ items: [(String, String?)]) -> String {
        let parts = items.compactMap { name, value in value.map { percentEncode(name) + "=" + percentEncode($0) } }
        return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
    }

    /// `application/x-www-form-urlencoded` encoding of the items (same escaping, which is always accepted).
    static func formBody(_ items: [(String, String)]) -> String {
        items.map { percentEncode($0.0) + "=" + percentEncode($0.1) }.joined(separator: "&")
    }

    static func percentEncode(_ value: String) -> String {
        var out = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 0x0F)])
            }
        }
        return out
    }
}
