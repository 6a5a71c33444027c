import Foundation
import Testing

@testable import BookingBridge

/// Which CRM meeting counts as evidence for an unanswered booking call (no I/O).
@Suite("CRM reconciliation decisions")
struct CRMReconciliationDecisionTests {
    static let start: Int64 = 1_780_000_200_000
    static let createdFrom: Int64 = 1_779_990_000_000

    static func meeting(
        _ id: String, start: Int64, created: Int64, event: String? = "ev-\(UUID())"
    ) throws
        -> HubSpotCRMObject
    {
        var properties: [String: Any] = [
            "hs_meeting_start_time": HubSpotTimestamp.iso8601(millis: start),
            "hs_createdate": HubSpotTimestamp.iso8601(millis: created),
        ]
        if let event { properties["hs_unique_id"] = event }
        let json = try JSONSerialization.data(withJSONObject: ["id": id, "properties": properties])
        return try JSONDecoder().decode(HubSpotCRMObject.self, from: json)
    }

    @Test("a meeting of the contact within the requested minute, created after the first call, is the evidence")
    func match() throws {
        let ok = try Self.meeting("1", start: Self.start + 59_999, created: Self.createdFrom)
        let picked = CRMReconciliation.pick(
            [ok], associated: ["1"], startMillis: Self.start, createdFrom: Self.createdFrom, excluded: [])
        #expect(picked?.id == "1")
    }

    @Test("every filter is checked again: another minute, older, not the contact's, or another intent's booking")
    func rejections() throws {
        let nextMinute = try Self.meeting("1", start: Self.start + 60_000, created: Self.createdFrom)
        let before = try Self.meeting("2", start: Self.start - 1, created: Self.createdFrom)
        let older = try Self.meeting("3", start: Self.start, created: Self.createdFrom - 1)
        let otherContact = try Self.meeting("4", start: Self.start, created: Self.createdFrom)
        let recorded = try Self.meeting("5", start: Self.start, created: Self.createdFrom, event: "taken")
        let picked = CRMReconciliation.pick(
            [nextMinute, before, older, otherContact, recorded], associated: ["1", "2", "3", "5"],
            startMillis: Self.start, createdFrom: Self.createdFrom, excluded: ["taken"])
        #expect(picked == nil)
    }

    @Test("a meeting without a calendar event id makes an offline booking, with the CRM's ids and times")
    func bookingWithoutCalendarEvent() throws {
        let evidence = CRMEvidence(
            found: true, contactId: "90210", meetingId: "70000000001", calendarEventId: nil,
            meetingStart: HubSpotTimestamp.iso8601(millis: Self.start),
            meetingEnd: HubSpotTimestamp.iso8601(millis: Self.start + 1_800_000), meetingTitle: "Intro",
            meetingCreatedAt: nil, searched: "")
        let request = BookingRequest(
            slug: "intro", startTime: HubSpotTimestamp.date(Self.start), durationMinutes: 30, email: "a@b.dev",
            firstName: "A", lastName: "B", timezone: "Europe/London")
        let booking = CRMReconciliation.booking(
            evidence, request: request, startMillis: Self.start, durationMillis: 1_800_000)
        #expect(!booking.isConfirmedMeeting)
        #expect(booking.contactId == "90210")
        #expect(booking.durationMillis == 1_800_000)
        #expect(booking.subject == "Intro")
    }
}
