import Foundation
import HubSpotSandbox
import NIOHTTP1
import Testing

/// The CRM records the sandbox keeps for bookings (contact by e-mail, meetings associated with it) and the two CRM
/// reads it serves: their shapes, scopes, paging and rate limits (docs/hubspot-sandbox.md).
@Suite("Sandbox CRM")
struct SandboxCRMTests {
    static let book = TestSandbox.scheduler + "/book"
    static let personal = SandboxSeeds.personalLinkSlug
    static let roundRobin = SandboxSeeds.roundRobinLinkSlug
    static let thirtyMinutes: Int64 = 1_800_000
    static let contacts = "/crm/objects/2026-03/contacts"
    static let search = "/crm/objects/2026-03/meetings/search"

    /// Books `start` on `slug` for `email`; returns HubSpot's answer.
    static func book(
        _ harness: TestSandbox, slug: String = Self.personal, start: Int64, email: String = "ada@lovelace.dev",
        changes: [String: Any] = [:]
    ) async throws -> [String: Any] {
        var changes = changes
        changes["email"] = email
        let reply = try await harness.call(
            .POST, Self.book,
            json: TestSandbox.bookBody(slug: slug, start: start, duration: Self.thirtyMinutes, changes))
        #expect(reply.status == 200, "\(reply.text)")
        return try reply.object()
    }

    /// Offered starts of `slug` that do not overlap one another (the grid is finer than the meetings).
    static func separateStarts(_ harness: TestSandbox, slug: String = Self.personal) async throws -> [Int64] {
        var starts: [Int64] = []
        for start in try await harness.offeredStarts(slug: slug, duration: Self.thirtyMinutes)
        where starts.last.map({ start >= $0 + Self.thirtyMinutes }) ?? true {
            starts.append(start)
        }
        return starts
    }

    static func contactPath(_ email: String) -> String {
        Self.contacts + "/" + (email.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? email)
            + "?idProperty=email&associations=meetings"
    }

    static func meetingsOf(
        contactId: String, extra: [[String: Any]] = [], limit: Int = 10, after: String? = nil
    )
        -> [String: Any]
    {
        var body: [String: Any] = [
            "filterGroups": [
                ["filters": [["propertyName": "associations.contact", "operator": "EQ", "value": contactId]] + extra]
            ],
            "properties": [
                "hs_meeting_start_time", "hs_meeting_end_time", "hs_meeting_title", "hs_createdate", "hs_unique_id",
            ],
            "sorts": ["hs_meeting_start_time"],
            "limit": limit,
        ]
        if let after { body["after"] = after }
        return body
    }

    @Test func everyBookingRecordsItsContactAndAnAssociatedMeeting() async throws {
        try await TestSandbox.with { harness in
            let starts = try await Self.separateStarts(harness)
            try #require(starts.count >= 2)
            let before = TestSandbox.nowMillis() - 1000
            let first = try await Self.book(harness, start: starts[0])
            let second = try await Self.book(harness, start: starts[1], email: "ADA@lovelace.dev")
            #expect(first["contactId"] as? String == second["contactId"] as? String, "one contact per e-mail")

            let reply = try await harness.call(.GET, Self.contactPath("ada@lovelace.dev"))
            #expect(reply.status == 200, "\(reply.text)")
            let contact = try reply.object()
            #expect(contact["id"] as? String == first["contactId"] as? String)
            #expect(contact["archived"] as? Bool == false)
            #expect(contact["createdAt"] as? String != nil && contact["updatedAt"] as? String != nil)
            #expect((contact["properties"] as? [String: Any])?["email"] as? String == "ada@lovelace.dev")
            let associated = (contact["associations"] as? [String: Any])?["meetings"] as? [String: Any]
            let ids = (associated?["results"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(ids.count == 2)
            #expect((associated?["results"] as? [[String: Any]])?.first?["type"] as? String == "contact_to_meeting")

            let found = try await harness.call(
                .POST, Self.search, json: Self.meetingsOf(contactId: first["contactId"] as? String ?? ""))
            #expect(found.status == 200, "\(found.text)")
            let page = try found.object()
            #expect((page["total"] as? NSNumber)?.intValue == 2)
            let results = try #require(page["results"] as? [[String: Any]])
            #expect(results.compactMap { $0["id"] as? String } == ids)
            let meeting = try #require(results.first?["properties"] as? [String: Any])
            #expect(meeting["hs_meeting_start_time"] as? String == TestSandbox.iso(starts[0]))
            #expect(meeting["hs_meeting_end_time"] as? String == TestSandbox.iso(starts[0] + Self.thirtyMinutes))
            #expect(meeting["hs_meeting_title"] as? String == first["subject"] as? String)
            #expect(meeting["hs_unique_id"] as? String == first["calendarEventId"] as? String)
            let created = try #require(meeting["hs_createdate"] as? String)
            let createdMillis = Int64(
                (try Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(created)
                    .timeIntervalSince1970 * 1000).rounded())
            #expect(createdMillis >= before && createdMillis <= TestSandbox.nowMillis() + 1000)
            #expect(results.first?["createdAt"] as? String == created)
            #expect(page["paging"] == nil, "everything fitted on one page")
        }
    }

    @Test func offlineBookingsLogAMeetingWithoutACalendarEvent() async throws {
        try await TestSandbox.with { harness in
            let start = try #require(
                try await harness.offeredStarts(slug: Self.roundRobin, duration: Self.thirtyMinutes).first)
            let answer = try await Self.book(
                harness, slug: Self.roundRobin, start: start,
                changes: ["likelyAvailableUserIds": [SandboxSeeds.offlineUserId]])
            #expect(answer["isOffline"] as? Bool == true)
            let contactId = try #require(answer["contactId"] as? String)
            let reply = try await harness.call(.POST, Self.search, json: Self.meetingsOf(contactId: contactId))
            let results = try #require(try reply.object()["results"] as? [[String: Any]])
            #expect(results.count == 1)
            let properties = results.first?["properties"] as? [String: Any] ?? [:]
            #expect(properties["hs_meeting_start_time"] as? String == TestSandbox.iso(start))
            #expect(properties["hs_unique_id"] is NSNull, "asked for, but no calendar event exists: null")
        }
    }

    @Test func searchFiltersByStartAndCreationAndPages() async throws {
        try await TestSandbox.with { harness in
            let starts = try await Self.separateStarts(harness)
            try #require(starts.count >= 6)
            var contactId = ""
            for start in starts.prefix(5) {
                contactId = try await Self.book(harness, start: start)["contactId"] as? String ?? ""
            }
            _ = try await Self.book(harness, start: starts[5], email: "grace@hopper.dev")
            // The start to the minute: a BETWEEN over the minute finds exactly the one meeting.
            let minute = try await harness.call(
                .POST, Self.search,
                json: Self.meetingsOf(
                    contactId: contactId,
                    extra: [
                        [
                            "propertyName": "hs_meeting_start_time", "operator": "BETWEEN",
                            "value": String(starts[2]), "highValue": String(starts[2] + 59_999),
                        ]
                    ]))
            let hit = try minute.object()
            #expect((hit["total"] as? NSNumber)?.intValue == 1)
            #expect(
                ((hit["results"] as? [[String: Any]])?.first?["properties"] as? [String: Any])?["hs_meeting_start_time"]
                    as? String == TestSandbox.iso(starts[2]))
            // Created after now: nothing yet. ISO values are accepted as well as epoch milliseconds.
            let later = try await harness.call(
                .POST, Self.search,
                json: Self.meetingsOf(
                    contactId: contactId,
                    extra: [
                        [
                            "propertyName": "hs_createdate", "operator": "GT",
                            "value": TestSandbox.iso(TestSandbox.nowMillis() + 60_000),
                        ]
                    ]))
            #expect((try later.object()["total"] as? NSNumber)?.intValue == 0)

            // Paging: 5 meetings, 2 a page, `after` from paging.next.after; the last page has no paging.
            var seen: [String] = []
            var after: String?
            var pages = 0
            repeat {
                let reply = try await harness.call(
                    .POST, Self.search, json: Self.meetingsOf(contactId: contactId, limit: 2, after: after))
                let page = try reply.object()
                #expect((page["total"] as? NSNumber)?.intValue == 5)
                seen += (page["results"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                after = ((page["paging"] as? [String: Any])?["next"] as? [String: Any])?["after"] as? String
                pages += 1
            } while after != nil && pages < 10
            #expect(pages == 3 && seen.count == 5 && Set(seen).count == 5)
        }
    }

    @Test func badSearchesAreHubSpotsValidationErrors() async throws {
        try await TestSandbox.with { harness in
            let bodies: [[String: Any]] = [
                ["limit": 201],
                ["filterGroups": [["filters": [["propertyName": "hs_meeting_start_time", "operator": "ABOUT"]]]]],
                ["filterGroups": [["filters": [["propertyName": "hs_meeting_start_time", "operator": "EQ"]]]]],
                [
                    "filterGroups": [
                        ["filters": [["propertyName": "hs_createdate", "operator": "GT", "value": "yesterday"]]]
                    ]
                ],
                ["filterGroups": Array(repeating: ["filters": [] as [Any]], count: 7)],
                ["after": "page-two"],
            ]
            for body in bodies {
                let reply = try await harness.call(.POST, Self.search, json: body)
                try reply.expectHubSpotError(status: 400, category: "VALIDATION_ERROR")
            }
            let notJSON = try await harness.call(.POST, Self.search, body: "{")
            try notJSON.expectHubSpotError(status: 400, category: "VALIDATION_ERROR")
            let wrongMethod = try await harness.call(.GET, Self.search)
            #expect(wrongMethod.status == 405)
        }
    }

    @Test func unknownContactsAre404AndEveryVersionIsServed() async throws {
        try await TestSandbox.with { harness in
            let missing = try await harness.call(.GET, Self.contactPath("nobody@nowhere.dev"))
            try missing.expectHubSpotError(status: 404, category: "OBJECT_NOT_FOUND")
            let start = try #require(
                try await harness.offeredStarts(slug: Self.personal, duration: Self.thirtyMinutes).first)
            let answer = try await Self.book(harness, start: start)
            let contactId = try #require(answer["contactId"] as? String)
            for prefix in ["/crm/v3/objects", "/crm/objects/2026-03", "/crm/objects/2026-09"] {
                let byEmail = try await harness.call(
                    .GET, "\(prefix)/contacts/ada%40lovelace.dev?idProperty=email&associations=meetings")
                #expect(byEmail.status == 200, "\(prefix): \(byEmail.text)")
                #expect(try byEmail.object()["id"] as? String == contactId)
                let byId = try await harness.call(.GET, "\(prefix)/contacts/\(contactId)")
                #expect(try byId.object()["id"] as? String == contactId)
                #expect(try byId.object()["associations"] == nil, "associations only when asked for")
                let search = try await harness.call(
                    .POST, "\(prefix)/meetings/search", json: Self.meetingsOf(contactId: contactId))
                #expect((try search.object()["total"] as? NSNumber)?.intValue == 1, "\(prefix)")
            }
            let badIdProperty = try await harness.call(.GET, Self.contacts + "/ada?idProperty=firstname")
            try badIdProperty.expectHubSpotError(status: 400, category: "VALIDATION_ERROR")
        }
    }

    @Test func theCRMReadScopeIsNeeded() async throws {
        try await TestSandbox.with { harness in
            let start = try #require(
                try await harness.offeredStarts(slug: Self.personal, duration: Self.thirtyMinutes).first)
            // The no-CRM token books (it has a write scope) but reads no CRM record; the read-only token does neither.
            let booked = try await harness.call(
                .POST, Self.book, token: "sandbox-no-crm",
                json: TestSandbox.bookBody(slug: Self.personal, start: start, duration: Self.thirtyMinutes))
            #expect(booked.status == 200, "\(booked.text)")
            for token in ["sandbox-no-crm", "sandbox-read-only"] {
                for reply in [
                    try await harness.call(.GET, Self.contactPath("ada@lovelace.dev"), token: token),
                    try await harness.call(.POST, Self.search, token: token, json: Self.meetingsOf(contactId: "1")),
                ] {
                    try reply.expectHubSpotError(status: 403, category: "MISSING_SCOPES")
                    let context = try reply.object()["context"] as? [String: [String]]
                    #expect(context?["requiredGranularScopes"] == ["crm.objects.contacts.read"])
                    #expect(reply.headers.first(name: "X-HubSpot-RateLimit-Remaining") != nil)
                }
            }
            let noToken = try await harness.call(.GET, Self.contactPath("ada@lovelace.dev"), token: nil)
            try noToken.expectHubSpotError(status: 401, category: "INVALID_AUTHENTICATION")
            let full = try await harness.call(.GET, Self.contactPath("ada@lovelace.dev"))
            #expect(full.status == 200)
        }
    }

    @Test func crmReadsShareTheRateLimits() async throws {
        try await TestSandbox.with({ $0.rateLimit = 3 }) { harness in
            var statuses: [Int] = []
            for _ in 0..<4 {
                statuses.append(try await harness.call(.GET, Self.contactPath("ada@lovelace.dev")).status)
            }
            #expect(statuses == [404, 404, 404, 429])
            let limited = try await harness.call(.POST, Self.search, json: Self.meetingsOf(contactId: "1"))
            #expect(limited.status == 429)
            #expect(try limited.object()["policyName"] as? String == "TEN_SECONDLY_ROLLING")
            #expect(limited.headers.first(name: "X-HubSpot-RateLimit-Max") == "3")
            let stats = await harness.sandbox.requestStats()
            #expect(stats.total == 5 && stats.rateLimited == 2)
        }
    }

    @Test func resetClearsContactsAndMeetings() async throws {
        try await TestSandbox.with { harness in
            let start = try #require(
                try await harness.offeredStarts(slug: Self.personal, duration: Self.thirtyMinutes).first)
            _ = try await Self.book(harness, start: start)
            await harness.sandbox.reset()
            let reply = try await harness.call(.GET, Self.contactPath("ada@lovelace.dev"))
            #expect(reply.status == 404)
        }
    }
}
