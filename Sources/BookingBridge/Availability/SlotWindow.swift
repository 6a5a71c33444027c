import Foundation

/// Which slots a visitor asked for: `days` local days from `from` in `timezone`, for meetings of `durationMillis`.
///
/// Pure: the days become one UTC interval (a local day in a daylight-saving week lasts 23 or 25 hours, so days are
/// counted on the zone's calendar, never as 24-hour steps), the interval names the UTC months whose availability
/// pages hold it, and the answer is those pages' starts inside the interval minus the slots the bridge holds.
public struct SlotWindow: Sendable, Equatable {
    public var startMillis: Int64
    public var endMillis: Int64

    public init(startMillis: Int64, endMillis: Int64) {
        self.startMillis = startMillis
        self.endMillis = endMillis
    }

    /// From local midnight of `from` to local midnight `days` days later, in `timezone`.
    public init?(from: DateComponents, days: Int, timezone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timezone
        var day = DateComponents()
        day.year = from.year
        day.month = from.month
        day.day = from.day
        guard let first = calendar.date(from: day).map({ calendar.startOfDay(for: $0) }),
            let last = calendar.date(byAdding: .day, value: days, to: first).map({ calendar.startOfDay(for: $0) })
        else { return nil }
        startMillis = HubSpotTimestamp.millis(first)
        endMillis = HubSpotTimestamp.millis(last)
    }

    /// Today's date in `timezone`.
    public static func today(in timezone: TimeZone, now: Date = Date()) -> DateComponents {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timezone
        return calendar.dateComponents([.year, .month, .day], from: now)
    }

    /// Reads `YYYY-MM-DD` (a real calendar date), else nil.
    public static func date(_ text: String) -> DateComponents? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month, day: day)
        guard let date = calendar.date(from: components),
            calendar.dateComponents([.year, .month, .day], from: date) == components
        else { return nil }
        return components
    }

    /// The first instants (UTC) of the months whose pages cover the window, never before the current month.
    public func months(now: Date) -> [Date] {
        let calendar = Self.utc
        guard let current = calendar.dateInterval(of: .month, for: now)?.start,
            var month = calendar.dateInterval(of: .month, for: HubSpotTimestamp.date(startMillis))?.start
        else { return [] }
        if month < current { month = current }
        var months: [Date] = []
        while HubSpotTimestamp.millis(month) < endMillis, months.count < 3 {
            months.append(month)
            guard let next = calendar.date(byAdding: .month, value: 1, to: month) else { break }
            month = next
        }
        return months
    }

    /// HubSpot's `monthOffset` of a month's page, counted in UTC from `now`.
    public static func monthOffset(of month: Date, now: Date) -> Int {
        let a = utc.dateComponents([.year, .month], from: now)
        let b = utc.dateComponents([.year, .month], from: month)
        return max(0, (b.year! - a.year!) * 12 + (b.month! - a.month!))
    }

    /// The month start (UTC) of the page that holds `millis`.
    public static func month(of millis: Int64) -> Date {
        utc.dateInterval(of: .month, for: HubSpotTimestamp.date(millis))?.start ?? HubSpotTimestamp.date(millis)
    }

    /// The offered slots of `durationMillis` that start inside the window, without any that overlaps a hold,
    /// in start order and without repeats.
    public func slots(
        pages: [HubSpotLinkAvailability], durationMillis: Int64, excluding holds: [SlotHold]
    ) -> [HubSpotSlot] {
        var seen = Set<Int64>()
        return pages.flatMap { $0.slots(durationMillis: durationMillis) }
            .filter { slot in
                slot.startMillisUtc >= startMillis && slot.startMillisUtc < endMillis
                    && !holds.contains { $0.startMillis < slot.endMillisUtc && slot.startMillisUtc < $0.endMillis }
                    && seen.insert(slot.startMillisUtc).inserted
            }
            .sorted { $0.startMillisUtc < $1.startMillisUtc }
    }

    static var utc: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }
}
