import Foundation
import Testing

@testable import BookingBridge

/// The pure day arithmetic of open slots: local days in a zone, daylight-saving weeks included.
@Suite("Slot window")
struct SlotWindowTests {
    static let london = TimeZone(identifier: "Europe/London")!
    static let newYork = TimeZone(identifier: "America/New_York")!

    static func millis(_ text: String) -> Int64 { HubSpotTimestamp.millis(iso8601: text)! }

    @Test("a day in the spring-forward week lasts 23 hours, one in the fall-back week 25, and weeks add up")
    func dstDays() throws {
        let spring = try #require(
            SlotWindow(from: DateComponents(year: 2027, month: 3, day: 28), days: 1, timezone: Self.london))
        #expect(spring.startMillis == Self.millis("2027-03-28T00:00:00Z"))
        #expect(spring.endMillis - spring.startMillis == 23 * 3_600_000)
        let fall = try #require(
            SlotWindow(from: DateComponents(year: 2027, month: 10, day: 31), days: 1, timezone: Self.london))
        #expect(fall.endMillis - fall.startMillis == 25 * 3_600_000)
        let week = try #require(
            SlotWindow(from: DateComponents(year: 2027, month: 3, day: 8), days: 7, timezone: Self.newYork))
        #expect(week.startMillis == Self.millis("2027-03-08T05:00:00Z"))
        #expect(week.endMillis == Self.millis("2027-03-15T04:00:00Z"))
    }

    @Test("slots of a DST week: starts inside the local days only, holds removed, duplicates once, in order")
    func slotsInDSTWeek() throws {
        let window = try #require(
            SlotWindow(from: DateComponents(year: 2027, month: 3, day: 28), days: 2, timezone: Self.london))
        func slot(_ start: String) -> HubSpotSlot {
            HubSpotSlot(startMillisUtc: Self.millis(start), endMillisUtc: Self.millis(start) + 1_800_000)
        }
        // 23:30 UTC on the 27th is still the 27th in London (GMT); 23:30 UTC on the 29th is 00:30 BST on the 30th.
        let offered = [
            slot("2027-03-27T23:30:00Z"), slot("2027-03-28T09:00:00Z"), slot("2027-03-29T08:00:00Z"),
            slot("2027-03-29T08:30:00Z"), slot("2027-03-29T22:30:00Z"), slot("2027-03-29T23:30:00Z"),
        ]
        let page = HubSpotLinkAvailability(
            hasMore: false,
            linkAvailabilityByDuration: [
                "1800000": .init(meetingDurationMillis: 1_800_000, availabilities: offered.reversed())
            ])
        let hold = SlotHold(
            startMillis: Self.millis("2027-03-29T08:15:00Z"), endMillis: Self.millis("2027-03-29T08:45:00Z"))
        let slots = window.slots(pages: [page, page], durationMillis: 1_800_000, excluding: [hold])
        #expect(
            slots.map(\.startMillisUtc) == [
                Self.millis("2027-03-28T09:00:00Z"), Self.millis("2027-03-29T22:30:00Z"),
            ])
    }

    @Test("months of a window: from the current month on, one page per UTC month it touches")
    func months() throws {
        let now = Date(timeIntervalSince1970: Double(Self.millis("2026-12-03T10:00:00Z")) / 1000)
        let window = try #require(
            SlotWindow(from: DateComponents(year: 2026, month: 12, day: 28), days: 7, timezone: Self.newYork))
        let months = window.months(now: now)
        #expect(
            months.map { HubSpotTimestamp.millis($0) } == [
                Self.millis("2026-12-01T00:00:00Z"), Self.millis("2027-01-01T00:00:00Z"),
            ])
        #expect(SlotWindow.monthOffset(of: months[1], now: now) == 1)
        let past = try #require(
            SlotWindow(from: DateComponents(year: 2026, month: 11, day: 30), days: 2, timezone: Self.newYork))
        #expect(past.months(now: now).map { HubSpotTimestamp.millis($0) } == [Self.millis("2026-12-01T00:00:00Z")])
    }

    @Test("dates are read strictly")
    func dates() {
        #expect(SlotWindow.date("2027-02-28") == DateComponents(year: 2027, month: 2, day: 28))
        #expect(SlotWindow.date("2027-02-29") == nil)
        #expect(SlotWindow.date("2027-2-28") == nil)
        #expect(SlotWindow.date("tomorrow") == nil)
    }

    @Test("a booked hold hides its slot only from pages fetched before its booking; one in flight always")
    func holdsHiding() {
        let id = UUID()
        let booked = AvailabilityStore.Hold(intentID: id, startMillis: 0, endMillis: 10, booked: true, ageMillis: 5_000)
        let inFlight = AvailabilityStore.Hold(
            intentID: UUID(), startMillis: 20, endMillis: 30, booked: false, ageMillis: 50_000)
        #expect(SlotHold.hiding([booked, inFlight], pageAgeMillis: 10_000).count == 2)
        #expect(
            SlotHold.hiding([booked, inFlight], pageAgeMillis: 1_000) == [SlotHold(startMillis: 20, endMillis: 30)])
        #expect(SlotHold.hiding([booked], pageAgeMillis: 10_000, except: id).isEmpty)
    }
}
