import Foundation
import HubSpotSandbox
import NIOHTTP1
import Testing

/// `POST .../meeting-links/book` against an embedded sandbox: the success shape and every 400/404 of the contract.
@Suite("Sandbox booking")
struct SandboxBookingTests {
    static let book = TestSandbox.scheduler + "/book"
    static let personal = SandboxSeeds.personalLinkSlug
    static let thirtyMinutes: Int64 = 1_800_000

    @Test func successfulBookingHasEveryRequiredKeyAndMakesTheSlotBusy() async throws {
        try await TestSandbox.with { harness in
            let start = try #require(
                try await harness.offeredStarts(slug: Self.personal, duration: Self.thirtyMinutes).first)
            let body = TestSandbox.bookBody(
                slug: Self.personal, start: start, duration: Self.thirtyMinutes,
                [
                    "formFields": [["name": "company", "value": "Analytical Engines Ltd"]],
                    "legalConsentResponses": [["communicationTypeId": "1234567", "consented": true]],
                ]
            )
            let reply = try await harness.call(.POST, Self.book, json: body)
            #expect(reply.status == 200, "\(reply.text)")
            let json = try reply.object()
            for key in [
                "bookingTimezone", "calendarEventId", "contactId", "duration", "start", "end", "subject", "isOffline",
                "formFields", "guestEmails", "legalConsentResponses",
            ] {
                #expect(json[key] != nil, "missing \(key)")
            }
            #expect((json["duration"] as? NSNumber)?.int64Value == Self.thirtyMinutes)
            #expect(json["start"] as? String == TestSandbox.iso(start))
            #expect(json["end"] as? String == TestSandbox.iso(start + Self.thirtyMinutes))
            #expect(json["isOffline"] as? Bool == false)
            #expect((json["calendarEventId"] as? String)?.isEmpty == false)
            #expect(json["bookingTimezone"] as? String == "Europe/London")
            #expect(json["subject"] as? String == "Intro call: Ada Lovelace and Jane Doe")
            let fields = json["formFields"] as? [[String: Any]] ?? []
            #expect(fields.contains { $0["name"] as? String == "company" && $0["isCustom"] as? Bool == true })

            let bookings = await harness.sandbox.bookings()
            #expect(bookings.count == 1)
            #expect(bookings.first?.startMillis == start)
            #expect(bookings.first?.assignedUserId == SandboxSeeds.janeUserId)
            #expect(bookings.first?.contactId == json["contactId"] as? String)

            // The slot is gone from availability for every duration that overlaps it, and shows as busy.
            let after = try await harness.offeredStarts(slug: Self.personal, duration: Self.thirtyMinutes)
            #expect(!after.contains(start))
            #expect(!after.contains(start - 900_000))
            let hour = try await harness.offeredStarts(slug: Self.personal, duration: 3_600_000)
            #expect(!hour.contains(start))
            let info = try await harness.call(
                .GET, "\(TestSandbox.scheduler)/book/\(TestSandbox.encoded(Self.personal))?timezone=Europe/London"
            )
            let busy =
                (try info.object()["allUsersBusyTimes"] as? [[String: Any]])?.first?["busyTimes"] as? [[String: Any]]
            #expect(busy?.contains { ($0["start"] as? NSNumber)?.int64Value == start } == true)

            // Booking the same slot again: HubSpot's "time not available".
            let again = try await harness.call(.POST, Self.book, json: body)
            try again.expectHubSpotError(
                status: 400, category: "VALIDATION_ERROR",
                subCategory: "MeetingsBookingSchedulingError.MEETING_TIME_NOT_AVAILABLE"
            )
            #expect(await harness.sandbox.bookings().count == 1)
        }
    }

    @Test func startTimeAsEpochMillisecondsIsAccepted() async throws {
        try await TestSandbox.with { harness in
            let start = try #require(try await harness.offeredStarts(slug: Self.personal, duration: 900_000).last)
            let body = TestSandbox.bookBody(
                slug: Self.personal, start: start, duration: 900_000, ["startTime": start])
            let reply = try await harness.call(.POST, Self.book, json: body)
            #expect(reply.status == 200, "\(reply.text)")
            #expect(await harness.sandbox.bookings().first?.startMillis == start)
        }
    }

    @Test func durationNotOfferedOrInMinutesIsRejected() async throws {
        try await TestSandbox.with { harness in
            let start = try #require(
                try await harness.offeredStarts(slug: Self.personal, duration: Self.thirtyMinutes).first)
            for duration: Int64 in [30, 2_700_000] {
                let reply = try await harness.call(
                    .POST, Self.book,
                    json: TestSandbox.bookBody(slug: Self.personal, start: start, duration: duration))
                try reply.expectHubSpotError(
                    status: 400, category: "VALIDATION_ERROR",
                    subCategory: "MeetingsBookingSchedulingError.MEETING_DURATION_NOT_VALID"
                )
            }
        }
    }

    @Test func startInThePastOrOffTheGridIsRejected() async throws {
        try await TestSandbox.with { harness in
            let start = try #require(
                try await harness.offeredStarts(slug: Self.personal, duration: Self.thirtyMinutes).first)
            let past = start - 7 * 86_400_000 * 2
            for candidate in [past, start + 60_000, start + 5 * 7 * 86_400_000] {
                let reply = try await harness.call(
                    .POST, Self.book,
                    json: TestSandbox.bookBody(slug: Self.personal, start: candidate, duration: Self.thirtyMinutes))
                try reply.expectHubSpotError(
                    status: 400, category: "VALIDATION_ERROR",
                    subCategory: "MeetingsBookingSchedulingError.MEETING_START_TIME_NOT_VALID"
                )
            }
        }
    }

    @Test func personAndFormProblemsGiveTheContractsErrors() async throws {
        try await TestSandbox.with { harness in
            let start = try #require(
                try await harness.offeredStarts(slug: Self.personal, duration: Self.thirtyMinutes).first)
            func attempt(_ changes: [String: Any]) async throws -> SandboxReply {
                try await harness.call(
                    .POST, Self.book,
                    json: TestSandbox.bookBody(
                        slug: Self.personal, start: start, duration: Self.thirtyMinutes, changes))
            }
            let emptyLastName = try await attempt(["lastName": ""])
            try emptyLastName.expectHubSpotError(status: 400, category: "VALIDATION_ERROR")
            #expect(
                try emptyLastName.object()["message"] as? String
                    == "required form field lastname does not have a corresponding value")

            for email in ["ada@example.com", "ada@mail.example.org", "not-an-email", "ada@mailinator.com"] {
                let reply = try await attempt(["email": email])
                try reply.expectHubSpotError(status: 400, category: "VALIDATION_ERROR", subCategory: "INVALID_EMAIL")
            }
            let guests = try await attempt(["guestEmails": ["grace@hopper.dev"]])
            try guests.expectHubSpotError(
                status: 400, category: "VALIDATION_ERROR", subCategory: "INVALID_EMAIL_GUESTS")

            let unknownField = try await attempt(["formFields": [["name": "favourite_colour", "value": "blue"]]])
            try unknownField.expectHubSpotError(status: 400, category: "VALIDATION_ERROR")

            let unknownSlug = try await attempt(["slug": "jane-doe/nope"])
            try unknownSlug.expectHubSpotError(status: 404, category: "OBJECT_NOT_FOUND")
            #expect((try unknownSlug.object()["message"] as? String)?.contains("slug does not exist") == true)
            #expect(await harness.sandbox.bookings().isEmpty)
        }
    }

    @Test func requiredFormFieldAndConsentAreEnforced() async throws {
        try await TestSandbox.with { harness in
            let slug = SandboxSeeds.formLinkSlug
            let duration: Int64 = 2_700_000
            let start = try #require(try await harness.offeredStarts(slug: slug, duration: duration).first)
            let field = ["name": SandboxSeeds.requiredFormField, "value": "ACME-42"]
            let consent: [String: Any] = ["communicationTypeId": SandboxSeeds.requiredConsentTypeId, "consented": true]
            func attempt(_ changes: [String: Any]) async throws -> SandboxReply {
                try await harness.call(
                    .POST, Self.book,
                    json: TestSandbox.bookBody(slug: slug, start: start, duration: duration, changes))
            }
            let noField = try await attempt(["legalConsentResponses": [consent]])
            try noField.expectHubSpotError(status: 400, category: "VALIDATION_ERROR")
            #expect(
                try noField.object()["message"] as? String
                    == "required form field account_id does not have a corresponding value")

            let noConsent = try await attempt(["formFields": [field]])
            try noConsent.expectHubSpotError(status: 400, category: "VALIDATION_ERROR")
            var refused = consent
            refused["consented"] = false
            let refusedConsent = try await attempt(["formFields": [field], "legalConsentResponses": [refused]])
            try refusedConsent.expectHubSpotError(status: 400, category: "VALIDATION_ERROR")

            let tooManyGuests = try await attempt([
                "formFields": [field], "legalConsentResponses": [consent],
                "guestEmails": ["a@guests.dev", "b@guests.dev", "c@guests.dev"],
            ])
            try tooManyGuests.expectHubSpotError(
                status: 400, category: "VALIDATION_ERROR", subCategory: "INVALID_EMAIL_GUESTS")

            let good = try await attempt([
                "formFields": [field], "legalConsentResponses": [consent], "guestEmails": ["grace@hopper.dev"],
            ])
            #expect(good.status == 200, "\(good.text)")
            #expect(try good.object()["guestEmails"] as? [String] == ["grace@hopper.dev"])
            #expect(await harness.sandbox.bookings().first?.formFields[SandboxSeeds.requiredFormField] == "ACME-42")
        }
    }

    @Test func malformedBodiesAreRejected() async throws {
        try await TestSandbox.with { harness in
            let start = try #require(
                try await harness.offeredStarts(slug: Self.personal, duration: Self.thirtyMinutes).first)
            let notJSON = try await harness.call(.POST, Self.book, body: "{\"slug\": ")
            try notJSON.expectHubSpotError(status: 400, category: "VALIDATION_ERROR")
            // The arrays may be left out (see `arraysMayBeLeftOut`); these keys may not.
            for key in ["slug", "startTime", "duration", "email", "firstName", "lastName"] {
                let reply = try await harness.call(
                    .POST, Self.book,
                    json: TestSandbox.bookBody(
                        slug: Self.personal, start: start, duration: Self.thirtyMinutes, [key: NSNull()]))
                try reply.expectHubSpotError(status: 400, category: "VALIDATION_ERROR")
                #expect((try reply.object()["message"] as? String)?.contains(key) == true, "\(reply.text)")
            }
            let badTime = try await harness.call(
                .POST, Self.book,
                json: TestSandbox.bookBody(
                    slug: Self.personal, start: start, duration: Self.thirtyMinutes, ["startTime": "tomorrow"]))
            try badTime.expectHubSpotError(status: 400, category: "VALIDATION_ERROR")
            #expect(await harness.sandbox.bookings().isEmpty)
        }
    }
}
