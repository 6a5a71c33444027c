import Foundation
import HubSpotSandbox
import NIOHTTP1
import Testing

/// Booking info, availability paging, link listing, slugs with `/` and authentication.
@Suite("Sandbox reads and auth")
struct SandboxReadTests {
    static let scheduler = TestSandbox.scheduler

    @Test func bookingInfoHasTheContractsShape() async throws {
        try await TestSandbox.with { harness in
            let reply = try await harness.call(
                .GET, "\(Self.scheduler)/book/sales%2Fdiscovery?timezone=America/New_York")
            #expect(reply.status == 200, "\(reply.text)")
            let json = try reply.object()
            #expect(json["linkId"] as? String == "48214")
            #expect(json["linkType"] as? String == "ROUND_ROBIN_CALENDAR")
            #expect(json["isOffline"] as? Bool == false)
            let users = try #require(json["allUsersBusyTimes"] as? [[String: Any]])
            #expect(users.count == 3)
            #expect(users.map { $0["isOffline"] as? Bool } == [false, false, true])
            let jane = try #require(users.first?["meetingsUser"] as? [String: Any])
            #expect(jane["userId"] as? String == SandboxSeeds.janeUserId)
            #expect((jane["userProfile"] as? [String: Any])?["email"] as? String == "jane@company.dev")
            #expect(
                (users.first?["busyTimes"] as? [[String: Any]])?.isEmpty == false,
                "the Wednesday team sync is busy time")
            let params = try #require(json["customParams"] as? [String: Any])
            #expect((params["durations"] as? [NSNumber])?.map(\.int64Value) == [1_800_000, 3_600_000])
            #expect(params["startTimeIncrementMinutes"] as? String == "THIRTY")
            #expect((params["availability"] as? [String: Any])?["MONDAY"] != nil)
            #expect((params["guestSettings"] as? [String: Any])?["canAddGuests"] as? Bool == false)
            #expect(json["linkAvailability"] != nil)
        }
    }

    @Test func timezoneIsRequiredAndMustBeValid() async throws {
        try await TestSandbox.with { harness in
            for query in ["", "?timezone=", "?timezone=Mars/Olympus"] {
                let info = try await harness.call(.GET, "\(Self.scheduler)/book/jane-doe%2Fintro-30\(query)")
                try info.expectHubSpotError(status: 400, category: "VALIDATION_ERROR")
            }
            let page = try await harness.call(
                .GET, "\(Self.scheduler)/book/availability-page/jane-doe%2Fintro-30?monthOffset=0")
            try page.expectHubSpotError(status: 400, category: "VALIDATION_ERROR")
        }
    }

    @Test func slugsWithSlashRoundTripAndRawSlashesAreNotFound() async throws {
        try await TestSandbox.with { harness in
            for version in ["2026-03", "2026-09", "v3"] {
                let path =
                    "/scheduler/\(version)/meetings/meeting-links/book/support%2Fonboarding?timezone=Europe/Berlin"
                let reply = try await harness.call(.GET, path)
                #expect(reply.status == 200, "\(version): \(reply.text)")
                #expect(try reply.object()["linkId"] as? String == "48215")
            }
            let lower = try await harness.call(.GET, "\(Self.scheduler)/book/sales%2fdiscovery?timezone=UTC")
            #expect(lower.status == 200)
            let raw = try await harness.call(.GET, "\(Self.scheduler)/book/sales/discovery?timezone=UTC")
            #expect(raw.status == 404)
            let unknown = try await harness.call(.GET, "\(Self.scheduler)/book/sales%2Fnope?timezone=UTC")
            try unknown.expectHubSpotError(status: 404, category: "OBJECT_NOT_FOUND")
        }
    }

    @Test func availabilityPagesCoverTheAdvertisedWeeksOnTheGrid() async throws {
        try await TestSandbox.with { harness in
            let before = TestSandbox.nowMillis()
            let slug = SandboxSeeds.personalLinkSlug
            var starts: [Int64] = []
            var pages = 0
            var lastHasMore = true
            while lastHasMore && pages < 4 {
                let reply = try await harness.call(
                    .GET, TestSandbox.availabilityPath(slug, timezone: "Europe/London", monthOffset: pages))
                #expect(reply.status == 200, "\(reply.text)")
                let availability = try #require(try reply.object()["linkAvailability"] as? [String: Any])
                let byDuration = try #require(availability["linkAvailabilityByDuration"] as? [String: Any])
                #expect(Set(byDuration.keys) == ["900000", "1800000", "3600000"])
                let entry = try #require(byDuration["1800000"] as? [String: Any])
                #expect((entry["meetingDurationMillis"] as? NSNumber)?.int64Value == 1_800_000)
                for slot in entry["availabilities"] as? [[String: Any]] ?? [] {
                    let start = try #require((slot["startMillisUtc"] as? NSNumber)?.int64Value)
                    #expect((slot["endMillisUtc"] as? NSNumber)?.int64Value == start + 1_800_000)
                    starts.append(start)
                }
                lastHasMore = availability["hasMore"] as? Bool ?? false
                pages += 1
            }
            let after = TestSandbox.nowMillis()
            #expect(!lastHasMore, "paging ends")
            #expect(pages >= 1 && pages <= 2)
            #expect(starts == starts.sorted() && Set(starts).count == starts.count, "pages do not overlap")

            var london = Calendar(identifier: .gregorian)
            london.timeZone = TimeZone(identifier: "Europe/London")!
            for start in starts {
                let parts = london.dateComponents(
                    [.weekday, .hour, .minute, .second], from: Date(timeIntervalSince1970: Double(start) / 1000))
                #expect((2...6).contains(parts.weekday ?? 0), "weekday")
                #expect(
                    (9...16).contains(parts.hour ?? 0) && (parts.hour! < 16 || parts.minute! <= 30), "working hours")
                #expect(parts.minute! % 15 == 0 && parts.second == 0, "15-minute grid")
                #expect(start >= before + 15 * 60_000 && start < after + 28 * 86_400_000, "notice and horizon")
            }
            // 20 working days of 31 starts (09:00 to 16:30 every 15 minutes), give or take today's part-day.
            #expect(starts.count >= 19 * 31 && starts.count <= 21 * 31, "\(starts.count)")
        }
    }

    @Test func linkListPagesWithLimitAndAfter() async throws {
        try await TestSandbox.with { harness in
            let first = try await harness.call(.GET, "\(Self.scheduler)?limit=2")
            #expect(first.status == 200)
            let firstJSON = try first.object()
            #expect(firstJSON["total"] as? Int == 3)
            let results = try #require(firstJSON["results"] as? [[String: Any]])
            #expect(
                results.map { $0["slug"] as? String } == [
                    SandboxSeeds.personalLinkSlug, SandboxSeeds.roundRobinLinkSlug,
                ])
            #expect(results.last?["userIdsOfLinkMembers"] as? [String] == ["5521", "5522", "5523"])
            #expect(results.first?["link"] as? String == "https://meetings.hubspot.com/jane-doe/intro-30")
            let after = try #require(
                ((firstJSON["paging"] as? [String: Any])?["next"] as? [String: Any])?["after"] as? String)
            let second = try await harness.call(.GET, "\(Self.scheduler)?limit=2&after=\(after)")
            let secondJSON = try second.object()
            #expect(
                (secondJSON["results"] as? [[String: Any]])?.map { $0["slug"] as? String } == [
                    SandboxSeeds.formLinkSlug
                ])
            #expect(secondJSON["paging"] == nil)
            let filtered = try await harness.call(.GET, "\(Self.scheduler)?type=ROUND_ROBIN_CALENDAR")
            #expect(try filtered.object()["total"] as? Int == 1)
            let bad = try await harness.call(.GET, "\(Self.scheduler)?limit=0")
            try bad.expectHubSpotError(status: 400, category: "VALIDATION_ERROR")
        }
    }

    @Test func tokensAreCheckedLikeHubSpot() async throws {
        try await TestSandbox.with { harness in
            let missing = try await harness.call(.GET, Self.scheduler, token: nil)
            try missing.expectHubSpotError(status: 401, category: "INVALID_AUTHENTICATION")
            let unknown = try await harness.call(.GET, Self.scheduler, token: "nope")
            try unknown.expectHubSpotError(status: 401, category: "INVALID_AUTHENTICATION")
            #expect(unknown.headers["X-HubSpot-RateLimit-Max"].isEmpty)

            let readList = try await harness.call(.GET, Self.scheduler, token: "sandbox-read-only")
            #expect(readList.status == 200)
            let start = try #require(
                try await harness.offeredStarts(slug: SandboxSeeds.personalLinkSlug, duration: 900_000).first)
            let body = TestSandbox.bookBody(slug: SandboxSeeds.personalLinkSlug, start: start, duration: 900_000)
            let readOnlyBook = try await harness.call(
                .POST, "\(Self.scheduler)/book", token: "sandbox-read-only", json: body)
            try readOnlyBook.expectHubSpotError(status: 403, category: "MISSING_SCOPES")
            let context = try readOnlyBook.object()["context"] as? [String: [String]]
            #expect(context?["requiredGranularScopes"] == ["crm.objects.contacts.write"])
            #expect(readOnlyBook.headers.first(name: "X-HubSpot-RateLimit-Remaining") != nil)
            #expect(await harness.sandbox.bookings().isEmpty)
        }
    }
}
