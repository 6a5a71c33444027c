import BookingBridge
import Foundation
import Testing

/// Every example of the contract (`Fixtures/hubspot/`, copied from the shared examples) decodes into the client's
/// types with the values it shows.
@Suite("HubSpot decoding")
struct HubSpotDecodingTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/hubspot")

    static func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: fixtures.appendingPathComponent(name))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ name: String) throws -> T {
        try JSONDecoder().decode(T.self, from: fixture(name))
    }

    @Test("book-request.json decodes and encodes back to the same JSON")
    func bookRequest() throws {
        let request = try Self.decode(HubSpotBookingRequest.self, "book-request.json")
        #expect(request.slug == "jane-doe/intro-30")
        #expect(request.startMillis == 1_796_308_200_000)
        #expect(request.durationMillis == 1_800_000)
        #expect(request.formFields == [HubSpotFormFieldValue(name: "company", value: "Analytical Engines Ltd")])
        #expect(
            request.legalConsentResponses == [HubSpotConsentResponse(communicationTypeId: "1234567", consented: true)])
        #expect(request.likelyAvailableUserIds.isEmpty)
        #expect(request.timezone == "Europe/London")
        let reencoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(request)) as? NSDictionary
        let original = try JSONSerialization.jsonObject(with: Self.fixture("book-request.json")) as? NSDictionary
        #expect(reencoded == original)
    }

    @Test("book requests always carry the required arrays and a raw slug")
    func bookRequestRequiredKeys() throws {
        let request = HubSpotBookingRequest(
            slug: "sales/discovery", startMillis: 1_796_308_200_250, durationMillis: 1_800_000,
            email: "ada@lovelace.dev", firstName: "Ada", lastName: "-")
        let object = try #require(
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(request)) as? [String: Any])
        #expect(object["slug"] as? String == "sales/discovery")
        #expect(object["startTime"] as? String == "2026-12-03T14:30:00.250Z")
        #expect((object["duration"] as? NSNumber)?.int64Value == 1_800_000)
        for key in ["formFields", "legalConsentResponses", "likelyAvailableUserIds"] {
            #expect((object[key] as? [Any])?.isEmpty == true, "\(key)")
        }
        #expect(object["timezone"] == nil)
    }

    @Test("book-response.json is a confirmed meeting")
    func bookResponse() throws {
        let response = try Self.decode(HubSpotBookingResponse.self, "book-response.json")
        #expect(response.calendarEventId == "6f1c9a0e2b7d4c3a")
        #expect(response.contactId == "90210")
        #expect(response.durationMillis == 1_800_000)
        #expect(response.startMillis == 1_796_308_200_000)
        #expect(response.endMillis == 1_796_310_000_000)
        #expect(response.isConfirmedMeeting)
        #expect(response.formFields.count == 2)
        #expect(response.formFields[1].isCustom == true)
        #expect(response.webConferenceUrl == "https://meet.example.net/812-555-0199")
    }

    @Test("book-response-offline.json is the offline trap, not a meeting")
    func bookResponseOffline() throws {
        let response = try Self.decode(HubSpotBookingResponse.self, "book-response-offline.json")
        #expect(response.isOffline)
        #expect(response.calendarEventId == "")
        #expect(!response.isConfirmedMeeting)
        #expect(response.location == nil)
    }

    @Test("booking-info.json decodes link, members, form and consent")
    func bookingInfo() throws {
        let info = try Self.decode(HubSpotBookingInfo.self, "booking-info.json")
        #expect(info.linkId == "48213")
        #expect(info.linkType == "PERSONAL_LINK")
        #expect(
            info.allUsersBusyTimes.first?.busyTimes == [
                HubSpotBusyTime(start: 1_796_308_200_000, end: 1_796_310_000_000)
            ])
        #expect(info.allUsersBusyTimes.first?.meetingsUser?.userId == "5521")
        #expect(info.customParams.durations == [900_000, 1_800_000, 3_600_000])
        #expect(info.customParams.formFields.map(\.name) == ["firstname", "lastname", "email", "company"])
        #expect(info.customParams.formFields.last?.isRequired == false)
        #expect(info.customParams.legalConsentEnabled)
        #expect(
            info.customParams.legalConsentOptions?.communicationConsentCheckboxes.first?.communicationTypeId
                == "1234567")
        #expect(info.customParams.startTimeIncrementMinutes == "FIFTEEN")
        #expect(info.customParams.guestSettings?.canAddGuests == false)
        #expect(info.linkAvailability == nil)
    }

    @Test("availability-page.json decodes slots per duration in 64-bit milliseconds")
    func availabilityPage() throws {
        let page = try Self.decode(HubSpotAvailabilityPage.self, "availability-page.json")
        #expect(page.linkAvailability.hasMore)
        #expect(page.linkAvailability.durations == [1_800_000, 3_600_000])
        #expect(
            page.linkAvailability.slots(durationMillis: 1_800_000) == [
                HubSpotSlot(startMillisUtc: 1_796_308_200_000, endMillisUtc: 1_796_310_000_000),
                HubSpotSlot(startMillisUtc: 1_796_310_000_000, endMillisUtc: 1_796_311_800_000),
            ])
        #expect(page.linkAvailability.slots(durationMillis: 900_000).isEmpty)
    }

    @Test("list-links.json decodes links and the paging cursor")
    func listLinks() throws {
        let page = try Self.decode(HubSpotMeetingLinkPage.self, "list-links.json")
        #expect(page.total == 2)
        #expect(page.results.map(\.slug) == ["jane-doe/intro-30", "sales/discovery"])
        #expect(page.results[1].userIdsOfLinkMembers == ["5521", "5522", "5523"])
        #expect(page.results[1].updatedAt == nil)
        #expect(page.nextAfter == "48214")
    }

    @Test("error-400-duration.json decodes and classifies as a permanent duration rejection")
    func error400() throws {
        let body = try Self.decode(HubSpotErrorBody.self, "error-400-duration.json")
        #expect(body.correlationId == "3f0b6a52-8c1e-4d7a-9e55-2b1f0c9d7a11")
        let error = HubSpotError(facts: HubSpotFailureFacts(endpoint: .book, status: 400, body: body))
        #expect(error.classification == .permanent)
        #expect(error.bookingRejection == .durationNotValid)
        #expect(error.category == "VALIDATION_ERROR")
    }

    @Test("error-403-scope.json decodes the missing scopes")
    func error403() throws {
        let body = try Self.decode(HubSpotErrorBody.self, "error-403-scope.json")
        #expect(body.category == "MISSING_SCOPES")
        #expect(body.context?["requiredGranularScopes"] == ["crm.objects.contacts.write"])
        #expect(body.errors?.first?.context?["requiredGranularScopes"] == ["crm.objects.contacts.write"])
        let error = HubSpotError(facts: HubSpotFailureFacts(endpoint: .book, status: 403, body: body))
        #expect(error.classification == .permanent)
        #expect(error.context["requiredGranularScopes"] == ["crm.objects.contacts.write"])
    }

    @Test("error-429-ten-secondly.json decodes the policy")
    func error429() throws {
        let body = try Self.decode(HubSpotErrorBody.self, "error-429-ten-secondly.json")
        #expect(body.policyName == "TEN_SECONDLY_ROLLING")
        #expect(body.errorType == "RATE_LIMIT")
        #expect(body.requestId == "1e2d3c4b5a69788796a5b4c3d2e1f000")
        let error = HubSpotError(facts: HubSpotFailureFacts(endpoint: .book, status: 429, body: body))
        #expect(error.classification == .rateLimited(policy: .tenSecondlyRolling, retryAfter: nil))
    }

    @Test("oauth-error-bad-refresh.json decodes into a permanent invalid_grant error")
    func oauthError() throws {
        let body = try Self.decode(HubSpotErrorBody.self, "oauth-error-bad-refresh.json")
        #expect(body.error == "invalid_grant")
        #expect(body.errorDescription == "refresh token is invalid, expired or revoked")
        #expect(body.status == "BAD_REFRESH_TOKEN")
    }

    @Test("an error body with unexpected types or no keys still decodes")
    func lenientErrorBody() throws {
        let odd = #"{"message": 42, "context": {"a": "not-an-array"}, "correlationId": "c-1", "errors": "x"}"#
        let body = try JSONDecoder().decode(HubSpotErrorBody.self, from: Data(odd.utf8))
        #expect(body.correlationId == "c-1")
        #expect(body.message == nil)
        #expect(body.context == nil)
        #expect(try JSONDecoder().decode(HubSpotErrorBody.self, from: Data("{}".utf8)) == HubSpotErrorBody())
    }

    @Test("timestamps: ISO 8601 with or without fractions, offsets, and epoch milliseconds")
    func timestamps() {
        #expect(HubSpotTimestamp.millis(iso8601: "2026-12-03T14:30:00Z") == 1_796_308_200_000)
        #expect(HubSpotTimestamp.millis(iso8601: "2026-12-03T14:30:00.000Z") == 1_796_308_200_000)
        #expect(HubSpotTimestamp.millis(iso8601: "2026-12-03T15:30:00+01:00") == 1_796_308_200_000)
        #expect(HubSpotTimestamp.millis(iso8601: "yesterday") == nil)
        #expect(HubSpotTimestamp.iso8601(millis: 1_796_308_200_000) == "2026-12-03T14:30:00Z")
    }
}
