import Foundation
import Logging

/// The CRM side of reconciliation: finds the meeting an unanswered booking call may have made.
///
/// A match is a meeting associated with the contact of the booking's e-mail (and listed in that contact's
/// associations), starting within the requested minute (start to start + 59,999 ms), created at or after the first
/// booking call minus ``createdAllowance`` (clocks differ), and not already recorded as another intent's booking.
struct CRMReconciliation: Sendable {
    /// How far before the first booking call a matching meeting may have been created (clock skew).
    static let createdAllowance: Int64 = 120_000
    /// Meeting properties read from a search.
    static let properties = [
        "hs_meeting_start_time", "hs_meeting_end_time", "hs_meeting_title", "hs_createdate", "hs_unique_id",
    ]
    /// At most this many search pages are read (a contact with hundreds of meetings in one minute is not expected).
    static let maximumPages = 5

    let api: any SchedulerAPI

    /// The evidence for a booking by `email` at `startMillis`; throws the CRM call's `HubSpotError`.
    func lookUp(
        email: String, startMillis: Int64, firstCallMillis: Int64,
        recordedElsewhere: @Sendable (String) async throws -> Set<String>
    ) async throws -> CRMEvidence {
        let createdFrom = firstCallMillis - Self.createdAllowance
        let searched =
            "a meeting of the contact \(email) starting at \(HubSpotTimestamp.iso8601(millis: startMillis)) "
            + "(within the minute), created from \(HubSpotTimestamp.iso8601(millis: createdFrom)) on"
        guard let contact = try await api.crmContact(email: email) else {
            return CRMEvidence(found: false, searched: searched + "; HubSpot has no contact with this e-mail")
        }
        let associated = Set(contact.associations["meetings"] ?? [])
        var evidence = CRMEvidence(found: false, contactId: contact.id, searched: searched)
        guard !associated.isEmpty else {
            evidence.searched += "; the contact has no meetings"
            return evidence
        }
        let excluded = try await recordedElsewhere(contact.id)
        var request = HubSpotCRMSearchRequest(
            filters: [
                .init(propertyName: "associations.contact", operator: "EQ", value: contact.id),
                .init(
                    propertyName: "hs_meeting_start_time", operator: "BETWEEN", value: String(startMillis),
                    highValue: String(startMillis + 59_999)),
                .init(propertyName: "hs_createdate", operator: "GTE", value: String(createdFrom)),
            ],
            properties: Self.properties, sortAscendingBy: "hs_createdate")
        for _ in 0..<Self.maximumPages {
            let page = try await api.searchMeetings(request)
            if let meeting = Self.pick(
                page.results, associated: associated, startMillis: startMillis, createdFrom: createdFrom,
                excluded: excluded)
            {
                let event = meeting.properties["hs_unique_id"].flatMap { $0.isEmpty ? nil : $0 }
                evidence.found = true
                evidence.meetingId = meeting.id
                evidence.calendarEventId = event
                evidence.meetingStart = meeting.properties["hs_meeting_start_time"]
                evidence.meetingEnd = meeting.properties["hs_meeting_end_time"]
                evidence.meetingTitle = meeting.properties["hs_meeting_title"]
                evidence.meetingCreatedAt = meeting.properties["hs_createdate"] ?? meeting.createdAt
                return evidence
            }
            guard let after = page.nextAfter else { break }
            request.after = after
        }
        return evidence
    }

    /// The first of `results` that is really a match: the search's filters are checked again here, so a filter
    /// HubSpot ignored cannot turn someone else's meeting into evidence.
    static func pick(
        _ results: [HubSpotCRMObject], associated: Set<String>, startMillis: Int64, createdFrom: Int64,
        excluded: Set<String>
    ) -> HubSpotCRMObject? {
        results.first { meeting in
            guard associated.contains(meeting.id),
                let start = meeting.properties["hs_meeting_start_time"].flatMap(Self.millis),
                (startMillis...(startMillis + 59_999)).contains(start)
            else { return false }
            if let created = (meeting.properties["hs_createdate"] ?? meeting.createdAt).flatMap(Self.millis),
                created < createdFrom
            {
                return false
            }
            if let event = meeting.properties["hs_unique_id"], excluded.contains(event) { return false }
            return true
        }
    }

    /// CRM date-times: ISO 8601, or epoch milliseconds.
    static func millis(_ text: String) -> Int64? {
        Int64(text) ?? HubSpotTimestamp.millis(iso8601: text)
    }

    /// The booking the evidence stands for, in the shape of HubSpot's booking answer (no calendar event id when
    /// the CRM gives none: then it is recorded as a booking answer without one is, as offline).
    static func booking(
        _ evidence: CRMEvidence, request: BookingRequest, startMillis: Int64, durationMillis: Int64
    ) -> HubSpotBookingResponse {
        let start = evidence.meetingStart.flatMap(millis) ?? startMillis
        let end = evidence.meetingEnd.flatMap(millis) ?? start + durationMillis
        return HubSpotBookingResponse(
            bookingTimezone: request.timezone, calendarEventId: evidence.calendarEventId ?? "",
            contactId: evidence.contactId ?? "", durationMillis: end - start, startMillis: start, endMillis: end,
            subject: evidence.meetingTitle ?? "", isOffline: false, locale: request.locale)
    }
}

extension HubSpotError {
    /// A 403: the token may not make the call (HubSpot's `MISSING_SCOPES` names the scopes it needs).
    var isMissingScope: Bool { status == 403 }
}
