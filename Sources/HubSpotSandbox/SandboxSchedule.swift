import Foundation

/// Pure time arithmetic for one link: working-hour windows, the start grid, busy times and availability pages.
///
/// All instants are epoch milliseconds; local times are resolved in the link's zone (or the user's zone for a user's
/// standing busy time), so daylight-saving changes move the slots as they would at HubSpot.
struct SandboxSchedule: Sendable {
    let link: SandboxLink
    let calendar: Calendar

    init(link: SandboxLink) {
        self.link = link
        self.calendar = Self.calendar(zone: link.timeZone)
    }

    static func calendar(zone: String) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone) ?? TimeZone(secondsFromGMT: 0)!
        return calendar
    }

    /// The instants a link can be booked for: from `now` plus the minimum notice to `now` plus the weeks advertised.
    func bookableWindow(now: Int64) -> SandboxInterval {
        SandboxInterval(
            start: now + self.link.minimumNoticeMillis,
            end: now + Int64(self.link.weeksToAdvertise) * 7 * 86_400_000
        )
    }

    /// Every start the working hours offer for a meeting of `durationMillis` within `range`, ignoring notice and
    /// busy time.
    func gridStarts(durationMillis: Int64, in range: SandboxInterval) -> [Int64] {
        guard durationMillis > 0 else { return [] }
        let step = self.link.incrementMillis(forDuration: durationMillis)
        var starts: [Int64] = []
        for window in Self.localIntervals(self.link.workingHours, calendar: self.calendar, overlapping: range) {
            var start = window.start
            while start + durationMillis <= window.end {
                if start >= range.start && start < range.end { starts.append(start) }
                start += step
            }
        }
        return starts
    }

    /// Whether the link offers a meeting of `durationMillis` at `start` (grid, working hours, notice, horizon),
    /// ignoring busy time.
    func offersStart(_ start: Int64, durationMillis: Int64, now: Int64) -> Bool {
        let window = self.bookableWindow(now: now)
        guard start >= window.start, start < window.end else { return false }
        return self.gridStarts(durationMillis: durationMillis, in: .init(start: start, end: start + 1)) == [start]
    }

    /// Busy time of each member within `range`: standing calendar events plus sandbox bookings on any link.
    func busyTimes(bookings: [SandboxBooking], in range: SandboxInterval) -> [String: [SandboxInterval]] {
        var busy: [String: [SandboxInterval]] = [:]
        for member in self.link.members {
            let userCalendar = Self.calendar(zone: member.timeZone)
            var intervals = Self.localIntervals(member.recurringBusy, calendar: userCalendar, overlapping: range)
            for booking in bookings where booking.assignedUserId == member.userId {
                let interval = SandboxInterval(start: booking.startMillis, end: booking.endMillis)
                if interval.overlaps(range) { intervals.append(interval) }
            }
            busy[member.userId] = intervals.sorted { $0.start < $1.start }
        }
        return busy
    }

    /// Members who could take `slot`: for a personal link the owner if free, for round robin every free rep, for a
    /// group calendar everyone if all are free.
    func freeMembers(for slot: SandboxInterval, busy: [String: [SandboxInterval]]) -> [SandboxUser] {
        let free = self.link.members.filter { member in
            !(busy[member.userId] ?? []).contains { slot.overlaps($0, padding: self.link.bufferMillis) }
        }
        switch self.link.type {
        case .personal: return Array(free.prefix(1))
        case .roundRobin: return free
        case .group: return free.count == self.link.members.count ? free : []
        }
    }

    /// One page of availability: the calendar month `monthOffset` months after the current one in `zone`.
    func availabilityPage(
        now: Int64,
        monthOffset: Int,
        zone: TimeZone,
        bookings: [SandboxBooking]
    ) -> (hasMore: Bool, slots: [Int64: [SandboxInterval]]) {
        var monthCalendar = Calendar(identifier: .gregorian)
        monthCalendar.timeZone = zone
        let window = self.bookableWindow(now: now)
        guard
            let currentMonth = monthCalendar.dateInterval(of: .month, for: Self.date(now)),
            let pageStart = monthCalendar.date(byAdding: .month, value: monthOffset, to: currentMonth.start),
            let pageEnd = monthCalendar.date(byAdding: .month, value: 1, to: pageStart)
        else { return (false, [:]) }
        let range = SandboxInterval(
            start: max(Self.millis(pageStart), window.start),
            end: min(Self.millis(pageEnd), window.end)
        )
        let hasMore = window.end > Self.millis(pageEnd)
        let busy = self.busyTimes(
            bookings: bookings, in: .init(start: range.start - 86_400_000, end: range.end + 86_400_000))
        var slots: [Int64: [SandboxInterval]] = [:]
        for duration in self.link.durationsMillis {
            slots[duration] = self.gridStarts(durationMillis: duration, in: range)
                .map { SandboxInterval(start: $0, end: $0 + duration) }
                .filter { !self.freeMembers(for: $0, busy: busy).isEmpty }
        }
        return (hasMore, slots)
    }

    /// The spans of weekly local `hours` that overlap `range`, sorted by start.
    static func localIntervals(
        _ hours: [SandboxWeeklyHours],
        calendar: Calendar,
        overlapping range: SandboxInterval
    ) -> [SandboxInterval] {
        guard range.start < range.end, !hours.isEmpty,
            var day = calendar.date(byAdding: .day, value: -1, to: calendar.startOfDay(for: Self.date(range.start)))
        else { return [] }
        let last = Self.date(range.end)
        var result: [SandboxInterval] = []
        while day < last {
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: day)
            for span in hours where span.weekday.rawValue == parts.weekday {
                guard let start = Self.localTime(span.startMinute, on: parts, calendar: calendar),
                    let end = Self.localTime(span.endMinute, on: parts, calendar: calendar)
                else { continue }
                let interval = SandboxInterval(start: Self.millis(start), end: Self.millis(end))
                if interval.start < interval.end && interval.overlaps(range) { result.append(interval) }
            }
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { break }
            day = next
        }
        return result.sorted { $0.start < $1.start }
    }

    private static func localTime(_ minute: Int, on day: DateComponents, calendar: Calendar) -> Date? {
        var parts = DateComponents()
        parts.year = day.year
        parts.month = day.month
        parts.day = day.day
        parts.hour = 0
        parts.minute = 0
        guard let midnight = calendar.date(from: parts) else { return nil }
        if minute >= 1440 { return calendar.date(byAdding: .day, value: 1, to: midnight) }
        parts.hour = minute / 60
        parts.minute = minute % 60
        return calendar.date(from: parts)
    }

    static func date(_ millis: Int64) -> Date {
        Date(timeIntervalSince1970: Double(millis) / 1000)
    }

    static func millis(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}
