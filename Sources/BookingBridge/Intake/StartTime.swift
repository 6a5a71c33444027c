import Foundation

/// Reading a booking's start time: pure functions, no clock and no locale.
enum StartTime {
    /// What a start-time text says: an instant (it had an offset, or was epoch milliseconds) or a wall time that
    /// still needs a time zone.
    enum Input: Sendable, Equatable {
        case instant(Date)
        case local(LocalDateTime)
    }

    /// How a wall time maps to instants in one zone.
    enum Resolution: Sendable, Equatable {
        case unique(Date)
        /// The wall time happens twice (clocks go back); `earlier` is the first occurrence.
        case ambiguous(earlier: Date, later: Date)
        /// The wall time is skipped (clocks go forward).
        case nonexistent
    }

    /// Reads epoch milliseconds (`1767258000000`) or an ISO 8601 date-time (`2026-01-01T09:00:00+01:00`, `...Z`,
    /// with or without seconds and fractions; without an offset it is a wall time). `nil` when it is neither.
    static func parse(_ text: String) -> Input? {
        let bytes = Array(text.utf8)
        if !bytes.isEmpty, bytes.count <= 15, bytes.allSatisfy(isDigit), let ms = Int64(text) {
            return .instant(Date(timeIntervalSince1970: Double(ms) / 1000))
        }
        var cursor = Cursor(bytes: bytes[...])
        guard let date = cursor.date() else { return nil }
        guard let separator = cursor.next(),
            separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t")
                || separator == UInt8(ascii: " ")
        else { return nil }
        guard let time = cursor.time() else { return nil }
        let local = LocalDateTime(
            year: date.year, month: date.month, day: date.day, hour: time.hour, minute: time.minute,
            second: time.second, nanosecond: time.nanosecond)
        if cursor.atEnd { return .local(local) }
        guard let offset = cursor.offset(), cursor.atEnd else { return nil }
        return .instant(instant(wallSeconds: local.wallSeconds - Int64(offset), nanosecond: local.nanosecond))
    }

    /// Reads an HTML date value `YYYY-MM-DD`.
    static func parseDate(_ text: String) -> (year: Int, month: Int, day: Int)? {
        var cursor = Cursor(bytes: Array(text.utf8)[...])
        guard let date = cursor.date(), cursor.atEnd else { return nil }
        return date
    }

    /// The UTC calendar date of epoch milliseconds (`1764720000000` → 2025-12-03), as HubSpot sends date properties.
    static func utcDate(epochMilliseconds text: String) -> (year: Int, month: Int, day: Int)? {
        guard !text.isEmpty, text.utf8.count <= 15, text.utf8.allSatisfy(isDigit), let ms = Int64(text) else {
            return nil
        }
        var days = Int(ms / 86_400_000)
        // Howard Hinnant's civil_from_days.
        days += 719_468
        let era = days / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Reads an HTML time value `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fff`.
    static func parseTime(_ text: String) -> (hour: Int, minute: Int, second: Int, nanosecond: Int)? {
        var cursor = Cursor(bytes: Array(text.utf8)[...])
        guard let time = cursor.time(), cursor.atEnd else { return nil }
        return time
    }

    /// The instants at which `zone`'s clocks show `local`.
    static func resolve(_ local: LocalDateTime, in zone: TimeZone) -> Resolution {
        let wall = local.wallSeconds
        // Offsets in force a day either side cover any single transition near this wall time.
        let offsets = Set(
            [-86_400, 0, 86_400].map { zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(wall + $0))) })
        let instants = offsets.compactMap { offset -> Int64? in
            let utc = wall - Int64(offset)
            return zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(utc))) == offset ? utc : nil
        }.sorted()
        switch instants.count {
        case 0: return .nonexistent
        case 1: return .unique(instant(wallSeconds: instants[0], nanosecond: local.nanosecond))
        default:
            return .ambiguous(
                earlier: instant(wallSeconds: instants[0], nanosecond: local.nanosecond),
                later: instant(wallSeconds: instants[instants.count - 1], nanosecond: local.nanosecond))
        }
    }

    private static func instant(wallSeconds: Int64, nanosecond: Int) -> Date {
        Date(timeIntervalSince1970: Double(wallSeconds) + Double(nanosecond) / 1e9)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// A strict reader over ASCII bytes.
    private struct Cursor {
        var bytes: ArraySlice<UInt8>

        var atEnd: Bool { bytes.isEmpty }

        mutating func next() -> UInt8? { bytes.popFirst() }

        mutating func number(digits: Int) -> Int? {
            guard bytes.count >= digits else { return nil }
            var value = 0
            for _ in 0..<digits {
                let byte = bytes.removeFirst()
                guard StartTime.isDigit(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }

        mutating func expect(_ character: Character) -> Bool {
            guard let ascii = character.asciiValue, bytes.first == ascii else { return false }
            bytes.removeFirst()
            return true
        }

        mutating func date() -> (year: Int, month: Int, day: Int)? {
            guard let year = number(digits: 4), expect("-"), let month = number(digits: 2), expect("-"),
                let day = number(digits: 2), year >= 1, (1...12).contains(month),
                (1...LocalDateTime.daysInMonth(year: year, month: month)).contains(day)
            else { return nil }
            return (year, month, day)
        }

        mutating func time() -> (hour: Int, minute: Int, second: Int, nanosecond: Int)? {
            guard let hour = number(digits: 2), expect(":"), let minute = number(digits: 2), hour < 24, minute < 60
            else { return nil }
            var second = 0
            var nanosecond = 0
            if expect(":") {
                guard let s = number(digits: 2), s < 60 else { return nil }
                second = s
                if expect(".") || expect(",") {
                    var digits = 0
                    var scale = 100_000_000
                    while let byte = bytes.first, StartTime.isDigit(byte) {
                        bytes.removeFirst()
                        digits += 1
                        guard digits <= 9 else { return nil }
                        nanosecond += Int(byte - UInt8(ascii: "0")) * scale
                        scale /= 10
                    }
                    guard digits > 0 else { return nil }
                }
            }
            return (hour, minute, second, nanosecond)
        }

        /// `Z`, `±HH:MM`, `±HHMM` or `±HH`, in seconds east of UTC.
        mutating func offset() -> Int? {
            if expect("Z") || expect("z") { return 0 }
            let sign: Int
            if expect("+") {
                sign = 1
            } else if expect("-") {
                sign = -1
            } else {
                return nil
            }
            guard let hours = number(digits: 2), hours <= 18 else { return nil }
            var minutes = 0
            if !atEnd {
                _ = expect(":")
                guard let m = number(digits: 2), m < 60 else { return nil }
                minutes = m
            }
            return sign * (hours * 3600 + minutes * 60)
        }
    }
}
