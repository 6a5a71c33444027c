import Foundation

/// The parameters of `GET /v1/sources/{source}/slots`, checked: each wrong one is named in a field error.
///
/// Pure: query items and the source's defaults in, a query or the list of what is wrong out.
struct SlotQuery: Sendable, Equatable {
    static let defaultDays = 7
    static let maxDays = 31

    var from: DateComponents
    var days: Int
    var timezone: TimeZone
    /// Nil: the source's default, else the link's first offered duration.
    var durationMinutes: Int?

    static func parse(
        _ query: [String: String], source: SourceConfiguration, now: Date
    ) -> Result<SlotQuery, Invalid> {
        var errors: [ProblemFieldError] = []
        var zone = TimeZone(identifier: source.timezone ?? "UTC") ?? TimeZone(identifier: "UTC")!
        if let text = query["timezone"] {
            if let parsed = text.contains("/") || text == "UTC" ? TimeZone(identifier: text) : nil {
                zone = parsed
            } else {
                errors.append(.init(field: "timezone", message: "must be an IANA time zone such as Europe/Berlin"))
            }
        }
        var from = SlotWindow.today(in: zone, now: now)
        if let text = query["from"] {
            if let parsed = SlotWindow.date(text) {
                from = parsed
            } else {
                errors.append(.init(field: "from", message: "must be a date as YYYY-MM-DD"))
            }
        }
        var days = defaultDays
        if let text = query["days"] {
            if let parsed = Int(text), (1...maxDays).contains(parsed) {
                days = parsed
            } else {
                errors.append(.init(field: "days", message: "must be a whole number from 1 to \(maxDays)"))
            }
        }
        var minutes = source.durationMinutes
        if let text = query["durationMinutes"] {
            if let parsed = Int(text), (1...24 * 60).contains(parsed) {
                minutes = parsed
            } else {
                errors.append(.init(field: "durationMinutes", message: "must be a whole number of minutes"))
            }
        }
        guard errors.isEmpty else { return .failure(Invalid(errors: errors)) }
        return .success(SlotQuery(from: from, days: days, timezone: zone, durationMinutes: minutes))
    }

    /// The wrong parameters, each named.
    struct Invalid: Error, Equatable {
        var errors: [ProblemFieldError]
    }

    /// The UTC interval of the query's local days.
    var window: SlotWindow? { SlotWindow(from: from, days: days, timezone: timezone) }
}
