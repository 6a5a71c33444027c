import Foundation

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
