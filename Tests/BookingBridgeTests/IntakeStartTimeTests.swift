import Foundation
import Testing

@testable import BookingBridge

@Suite("Intake start times")
struct IntakeStartTimeTests {
    static func utc(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }

    @Test func instants() {
        #expect(StartTime.parse("2027-05-04T09:30:00+02:00") == .instant(Self.utc("2027-05-04T07:30:00Z")))
        #expect(StartTime.parse("2027-05-04T07:30Z") == .instant(Self.utc("2027-05-04T07:30:00Z")))
        #expect(
            StartTime.parse("2027-05-04t07:30:00.250z")
                == .instant(Self.utc("2027-05-04T07:30:00Z").addingTimeInterval(0.25)))
        #expect(StartTime.parse("2027-05-04 09:30:00-0430") == .instant(Self.utc("2027-05-04T14:00:00Z")))
        #expect(StartTime.parse("2027-05-04T09:30:00+05") == .instant(Self.utc("2027-05-04T04:30:00Z")))
        #expect(StartTime.parse("1809422400000") == .instant(Date(timeIntervalSince1970: 1_809_422_400)))
    }

    @Test func wallTimesWithoutOffset() {
        #expect(
            StartTime.parse("2027-05-04T09:30")
                == .local(LocalDateTime(year: 2027, month: 5, day: 4, hour: 9, minute: 30)))
    }

    @Test(arguments: [
        "", "tomorrow", "2027-13-01T10:00Z", "2027-02-29T10:00Z", "2027-04-31T10:00Z", "2027-05-04T24:00Z",
        "2027-05-04T10:60Z", "2027-05-04", "2027-05-04T10:00+2", "2027-05-04T10:00:00.Z", "2027-05-04T10:00Zjunk",
        "27-05-04T10:00Z", "1234567890123456", "-1809422400000", "2027-05-04T10:00:00.1234567891Z",
    ])
    func rejected(_ text: String) {
        #expect(StartTime.parse(text) == nil)
    }

    @Test func htmlDateAndTime() {
        #expect(StartTime.parseDate("2028-02-29")! == (2028, 2, 29))
        #expect(StartTime.parseDate("2027-02-29") == nil)
        #expect(StartTime.parseTime("09:05")! == (9, 5, 0, 0))
        #expect(StartTime.parseTime("23:59:59.5")! == (23, 59, 59, 500_000_000))
        #expect(StartTime.parseTime("9:05") == nil)
        #expect(StartTime.parseTime("09:05 PM") == nil)
    }

    let berlin = TimeZone(identifier: "Europe/Berlin")!

    @Test func berlinSummerAndWinter() {
        // 29 March 2026: Berlin moves from +01:00 to +02:00 at 02:00 local time.
        #expect(
            StartTime.resolve(LocalDateTime(year: 2026, month: 3, day: 28, hour: 10, minute: 0), in: berlin)
                == .unique(Self.utc("2026-03-28T09:00:00Z")))
        #expect(
            StartTime.resolve(LocalDateTime(year: 2026, month: 3, day: 29, hour: 10, minute: 0), in: berlin)
                == .unique(Self.utc("2026-03-29T08:00:00Z")))
        #expect(
            StartTime.resolve(LocalDateTime(year: 2026, month: 3, day: 29, hour: 1, minute: 59), in: berlin)
                == .unique(Self.utc("2026-03-29T00:59:00Z")))
        #expect(
            StartTime.resolve(LocalDateTime(year: 2026, month: 3, day: 29, hour: 3, minute: 0), in: berlin)
                == .unique(Self.utc("2026-03-29T01:00:00Z")))
    }

    @Test func skippedWallTimeDoesNotExist() {
        #expect(
            StartTime.resolve(LocalDateTime(year: 2026, month: 3, day: 29, hour: 2, minute: 30), in: berlin)
                == .nonexistent)
        let newYork = TimeZone(identifier: "America/New_York")!
        #expect(
            StartTime.resolve(LocalDateTime(year: 2027, month: 3, day: 14, hour: 2, minute: 15), in: newYork)
                == .nonexistent)
    }

    @Test func repeatedWallTimeIsAmbiguous() {
        // 25 October 2026: Berlin goes back from 03:00 +02:00 to 02:00 +01:00, so 02:30 happens twice.
        #expect(
            StartTime.resolve(LocalDateTime(year: 2026, month: 10, day: 25, hour: 2, minute: 30), in: berlin)
                == .ambiguous(earlier: Self.utc("2026-10-25T00:30:00Z"), later: Self.utc("2026-10-25T01:30:00Z")))
    }

    @Test func zonesWithoutChanges() {
        let utc = TimeZone(identifier: "UTC")!
        #expect(
            StartTime.resolve(LocalDateTime(year: 2027, month: 1, day: 1, hour: 0, minute: 0), in: utc)
                == .unique(Self.utc("2027-01-01T00:00:00Z")))
        let kolkata = TimeZone(identifier: "Asia/Kolkata")!
        #expect(
            StartTime.resolve(LocalDateTime(year: 2027, month: 1, day: 1, hour: 10, minute: 0), in: kolkata)
                == .unique(Self.utc("2027-01-01T04:30:00Z")))
    }

    @Test func civilDays() {
        #expect(LocalDateTime.daysFromCivil(year: 1970, month: 1, day: 1) == 0)
        #expect(LocalDateTime.daysFromCivil(year: 2000, month: 3, day: 1) == 11_017)
        #expect(LocalDateTime.daysFromCivil(year: 1969, month: 12, day: 31) == -1)
    }
}
