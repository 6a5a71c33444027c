import Foundation

/// The JSON text of what intake stores, written directly instead of through `JSONEncoder` (which costs more than
/// the rest of an intake request together). The output reads back with `JSONCoding.decoder` as the same values:
/// sorted keys, unescaped slashes, dates as ISO 8601 UTC with milliseconds, `nil` optionals left out.
///
/// Everything is appended as UTF-8 bytes to one buffer reserved up front (`JSONBytes`), made into a `String` once.
enum IntentJSON {
    static func request(_ r: BookingRequest) -> String {
        var out = JSONBytes(capacity: 256 + r.email.utf8.count + r.firstName.utf8.count + r.lastName.utf8.count)
        out.append("{\"consents\":{")
        var first = true
        for key in r.consents.keys.sorted() {
            if !first { out.append(",") }
            first = false
            out.appendString(key)
            out.append(r.consents[key]! ? ":true" : ":false")
        }
        out.append("},\"durationMinutes\":")
        out.appendInteger(r.durationMinutes)
        out.append(",\"email\":")
        out.appendString(r.email)
        out.append(",\"firstName\":")
        out.appendString(r.firstName)
        out.append(",\"formFields\":")
        out.appendObject(r.formFields)
        out.append(",\"guestEmails\":[")
        for (index, guest) in r.guestEmails.enumerated() {
            if index > 0 { out.append(",") }
            out.appendString(guest)
        }
        out.append("],\"lastName\":")
        out.appendString(r.lastName)
        if let locale = r.locale {
            out.append(",\"locale\":")
            out.appendString(locale)
        }
        out.append(",\"slug\":")
        out.appendString(r.slug)
        out.append(",\"startTime\":\"")
        out.appendISO8601(r.startTime)
        out.append("\",\"timezone\":")
        out.appendString(r.timezone)
        out.append("}")
        return out.string
    }

    static func raw(_ raw: RawSubmission) -> String {
        var out = JSONBytes(capacity: 64 + raw.fields.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count + 6 })
        out.append("{\"contentType\":")
        out.appendString(raw.contentType)
        out.append(",\"fields\":")
        out.appendObject(raw.fields)
        out.append("}")
        return out.string
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped, everything else as it is.
    static func appendString(_ text: String, to out: inout String) {
        var bytes = JSONBytes(capacity: text.utf8.count + 2)
        bytes.appendString(text)
        out += bytes.string
    }

    /// `2026-12-01T09:00:00.000Z` (milliseconds rounded down).
    static func iso8601(_ date: Date) -> String {
        var out = JSONBytes(capacity: 24)
        out.appendISO8601(date)
        return out.string
    }
}

/// UTF-8 bytes of JSON text being written.
struct JSONBytes {
    private(set) var bytes: [UInt8]

    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    var string: String { String(decoding: bytes, as: UTF8.self) }

    /// Text as it is (literal syntax, never a value).
    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func appendInteger(_ value: Int) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            appendDigits(value.magnitude, width: 1)
        } else {
            appendDigits(UInt(value), width: 1)
        }
    }

    /// At least `width` decimal digits, zero-padded.
    mutating func appendDigits(_ value: UInt, width: Int) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0
        )
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { scratch in
            repeat {
                if count == scratch.count { break }
                scratch[count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest > 0 || count < width
        }
        if rest > 0 {
            bytes.append(contentsOf: String(value).utf8)
            return
        }
        withUnsafeBytes(of: &digits) { scratch in
            for index in stride(from: count - 1, through: 0, by: -1) { bytes.append(scratch[index]) }
        }
    }

    /// An object of strings, keys sorted.
    mutating func appendObject(_ object: [String: String]) {
        bytes.append(UInt8(ascii: "{"))
        var first = true
        for (key, value) in object.sorted(by: { $0.key < $1.key }) {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            appendString(key)
            bytes.append(UInt8(ascii: ":"))
            appendString(value)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped, everything else as it is.
    mutating func appendString(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            bytes.append(UInt8(ascii: "\""))
            var plainStart = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plainStart..<index]))
                plainStart = index + 1
                switch byte {
                case UInt8(ascii: "\""): append("\\\"")
                case UInt8(ascii: "\\"): append("\\\\")
                case 0x0A: append("\\n")
                case 0x0D: append("\\r")
                case 0x09: append("\\t")
                case 0x08: append("\\b")
                case 0x0C: append("\\f")
                default:
                    append("\\u00")
                    bytes.append(Hex.digit(byte >> 4))
                    bytes.append(Hex.digit(byte))
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plainStart..<utf8.count]))
            bytes.append(UInt8(ascii: "\""))
        }
    }

    /// `2026-12-01T09:00:00.000Z` (milliseconds rounded down).
    mutating func appendISO8601(_ date: Date) {
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
        appendInteger4(year)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(UInt(month), width: 2)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(UInt(day), width: 2)
        bytes.append(UInt8(ascii: "T"))
        appendDigits(UInt(msOfDay / 3_600_000), width: 2)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(UInt(msOfDay / 60_000 % 60), width: 2)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(UInt(msOfDay / 1000 % 60), width: 2)
        bytes.append(UInt8(ascii: "."))
        appendDigits(UInt(msOfDay % 1000), width: 3)
        bytes.append(UInt8(ascii: "Z"))
    }

    /// A year in at least 4 characters, zero-padded in front (a negative one after the zeros, as `String` writes it).
    private mutating func appendInteger4(_ year: Int) {
        if year >= 0 {
            appendDigits(UInt(year), width: 4)
        } else {
            let text = String(year)
            let padding = max(0, 4 - text.utf8.count)
            bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: padding))
            bytes.append(contentsOf: text.utf8)
        }
    }
}
