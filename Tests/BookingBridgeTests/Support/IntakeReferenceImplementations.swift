import Crypto
import Foundation

@testable import BookingBridge

// The intake hot path's functions as they were before they were rewritten for speed, kept as references: the
// rewritten ones must give the same bytes (`IntakeHotPathTests`), and `MICRO_BENCH=1` prints both figures.

/// `VisitorReceipt.make` with `uuidString` and `String(format:)`.
enum FormattedVisitorReceipt {
    static func make(id: UUID, key: [UInt8]) -> String {
        let hex = id.uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let mac = HMAC<SHA256>.authenticationCode(for: Array(hex.utf8), using: SymmetricKey(data: key))
        return hex + mac.prefix(16).map { String(format: "%02x", $0) }.joined()
    }
}

/// `trimmingWhitespace` without its ASCII fast path.
func scalarTrimmingWhitespace(_ text: String) -> String {
    let scalars = text.unicodeScalars
    guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
    else { return "" }
    return String(scalars[first...last])
}

/// `URLEncodedForm.decode` that percent-decodes every name and value into a new array.
func copyingURLEncodedDecode(_ body: [UInt8]) throws(IntakeError) -> [String: String] {
    var builder = FormBody.Builder()
    for pair in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
        let name: ArraySlice<UInt8>
        let value: ArraySlice<UInt8>
        if let equals = pair.firstIndex(of: UInt8(ascii: "=")) {
            name = pair[pair.startIndex..<equals]
            value = pair[(equals + 1)...]
        } else {
            name = pair
            value = []
        }
        let decodedName = try FormBody.utf8(try URLEncodedForm.percentDecode(name), what: "a field name")
        guard !decodedName.isEmpty else { continue }
        let what = "the value of \(decodedName)"
        try builder.add(decodedName, try FormBody.utf8(try URLEncodedForm.percentDecode(value), what: what))
    }
    return builder.fields
}

/// `IntentJSON` as it was written with `String` appends: what the byte writer must match, byte for byte.
enum StringIntentJSON {
    static func request(_ r: BookingRequest) -> String {
        var out = "{\"consents\":{"
        var first = true
        for key in r.consents.keys.sorted() {
            if !first { out += "," }
            first = false
            appendString(key, to: &out)
            out += r.consents[key]! ? ":true" : ":false"
        }
        out += "},\"durationMinutes\":\(r.durationMinutes),\"email\":"
        appendString(r.email, to: &out)
        out += ",\"firstName\":"
        appendString(r.firstName, to: &out)
        out += ",\"formFields\":"
        appendObject(r.formFields, to: &out)
        out += ",\"guestEmails\":["
        for (index, guest) in r.guestEmails.enumerated() {
            if index > 0 { out += "," }
            appendString(guest, to: &out)
        }
        out += "],\"lastName\":"
        appendString(r.lastName, to: &out)
        if let locale = r.locale {
            out += ",\"locale\":"
            appendString(locale, to: &out)
        }
        out += ",\"slug\":"
        appendString(r.slug, to: &out)
        out += ",\"startTime\":\"" + iso8601(r.startTime) + "\",\"timezone\":"
        appendString(r.timezone, to: &out)
        out += "}"
        return out
    }

    static func raw(_ raw: RawSubmission) -> String {
        var out = "{\"contentType\":"
        appendString(raw.contentType, to: &out)
        out += ",\"fields\":"
        appendObject(raw.fields, to: &out)
        out += "}"
        return out
    }

    static func appendObject(_ object: [String: String], to out: inout String) {
        out += "{"
        var first = true
        for key in object.keys.sorted() {
            if !first { out += "," }
            first = false
            appendString(key, to: &out)
            out += ":"
            appendString(object[key]!, to: &out)
        }
        out += "}"
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped, everything else as it is.
    static func appendString(_ text: String, to out: inout String) {
        out += "\""
        var plainStart = text.utf8.startIndex
        var index = plainStart
        let utf8 = text.utf8
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                out += Substring(utf8[plainStart..<index])
                switch byte {
                case UInt8(ascii: "\""): out += "\\\""
                case UInt8(ascii: "\\"): out += "\\\\"
                case 0x0A: out += "\\n"
                case 0x0D: out += "\\r"
                case 0x09: out += "\\t"
                case 0x08: out += "\\b"
                case 0x0C: out += "\\f"
                default: out += byte < 0x10 ? "\\u000" + String(byte, radix: 16) : "\\u00" + String(byte, radix: 16)
                }
                index = utf8.index(after: index)
                plainStart = index
            } else {
                index = utf8.index(after: index)
            }
        }
        out += Substring(utf8[plainStart..<utf8.endIndex])
        out += "\""
    }

    /// `2026-12-01T09:00:00.000Z` (milliseconds rounded down).
    static func iso8601(_ date: Date) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let days = Int(ms >= 0 ? ms / 86_400_000 : (ms - 86_399_999) / 86_400_000)
        let msOfDay = Int(ms - Int64(days) * 86_400_000)
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ n: Int, _ width: Int) -> String {
            let text = String(n)
            return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(msOfDay / 3_600_000, 2)):"
            + "\(pad(msOfDay / 60_000 % 60, 2)):\(pad(msOfDay / 1000 % 60, 2)).\(pad(msOfDay % 1000, 3))Z"
    }
}
