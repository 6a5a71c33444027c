import Foundation
import NIOHTTP1
import Testing

@testable import HubSpotSandbox

/// The sandbox behaves as HubSpot does in the wild, not only as its spec reads (`docs/hubspot-sandbox.md` names the
/// source of each behaviour). One test per numbered sandbox item of the fidelity review.
@Suite("Sandbox fidelity")
struct SandboxFidelityTests {
    static let book = TestSandbox.scheduler + "/book"
    static let personal = SandboxSeeds.personalLinkSlug
    static let thirtyMinutes: Int64 = 1_800_000
    static let tokenPath = "/oauth/2026-03/token"
    static let form = "application/x-www-form-urlencoded"
    static let refreshBody =
        "grant_type=refresh_token&client_id=sandbox-client-id&client_secret=sandbox-client-secret&refresh_token="

    /// 1. The spec's required arrays may be left out; guests on a link without guests are refused.
    @Test func arraysMayBeLeftOutAndGuestsNeedALinkThatTakesThem() async throws {
        try await TestSandbox.with { harness in
            let starts = try await harness.offeredStarts(slug: Self.personal, duration: Self.thirtyMinutes)
            #expect(starts.count >= 2)
            let bare = TestSandbox.bookBody(
                slug: Self.personal, start: starts[0], duration: Self.thirtyMinutes,
                ["formFields": NSNull(), "legalConsentResponses": NSNull(), "likelyAvailableUserIds": NSNull()])
            #expect(bare["formFields"] == nil && bare["guestEmails"] == nil)
            let booked = try await harness.call(.POST, Self.book, json: bare)
            #expect(booked.status == 200, "\(booked.text)")
            #expect(try booked.object()["legalConsentResponses"] as? [Any] != nil)

            let guests = try await harness.call(
                .POST, Self.book,
                json: TestSandbox.bookBody(
                    slug: Self.personal, start: starts[1], duration: Self.thirtyMinutes,
                    ["guestEmails": ["grace@hopper.dev"]]))
            try guests.expectHubSpotError(
                status: 400, category: "VALIDATION_ERROR", subCategory: "INVALID_EMAIL_GUESTS")
            #expect(await harness.sandbox.bookings().map(\.startMillis) == [starts[0]])
        }
    }

    /// 2. An expired OAuth access token is `EXPIRED_AUTHENTICATION`; an unknown one stays `INVALID_AUTHENTICATION`.
    @Test func expiredAccessTokenIsExpiredAuthentication() async throws {
        try await TestSandbox.with({ $0.oauthAccessTokenLifetimeSeconds = 1 }) { harness in
            let issued = try await harness.call(
                .POST, Self.tokenPath, token: nil, body: Self.refreshBody + "sandbox-refresh-token",
                contentType: Self.form)
            #expect(try issued.object()["expires_in"] as? Int == 1)
            let access = try #require(try issued.object()["access_token"] as? String)
            // (That the token worked before it expired is `SandboxOAuthTests`' check, with a longer lifetime.)
            try await Task.sleep(for: .milliseconds(1100))
            let expired = try await harness.call(.GET, TestSandbox.scheduler, token: access)
            try expired.expectHubSpotError(status: 401, category: "EXPIRED_AUTHENTICATION")
            let body = try expired.object()
            #expect((body["message"] as? String)?.hasPrefix("The OAuth token used to make this call expired") == true)
            let expireTime = (body["context"] as? [String: [String]])?["expire time"]?.first
            #expect(expireTime.flatMap { try? Date.ISO8601FormatStyle().parse($0) } != nil, "\(expired.text)")

            let unknown = try await harness.call(.GET, TestSandbox.scheduler, token: "sandbox-at-unknown")
            try unknown.expectHubSpotError(status: 401, category: "INVALID_AUTHENTICATION")
        }
    }

    /// 3. Error bodies hold only the keys HubSpot's `Error` has; `errors[]`, `context` and `links` where HubSpot
    /// sends them (403 `MISSING_SCOPES`).
    @Test func errorBodiesCarryOnlyHubSpotsKeys() async throws {
        let allowed: Set<String> = [
            "status", "message", "correlationId", "category", "subCategory", "errors", "context", "links",
        ]
        try await TestSandbox.with { harness in
            let start = try #require(
                try await harness.offeredStarts(slug: Self.personal, duration: Self.thirtyMinutes).first)
            let body = TestSandbox.bookBody(slug: Self.personal, start: start, duration: Self.thirtyMinutes)
            var replies: [SandboxReply] = [
                try await harness.call(.POST, Self.book, json: body.merging(["duration": 60_000]) { $1 }),
                try await harness.call(.POST, Self.book, json: body.merging(["email": "a@example.com"]) { $1 }),
                try await harness.call(.POST, Self.book, json: body.merging(["slug": "nobody/none"]) { $1 }),
                try await harness.call(.GET, TestSandbox.scheduler, token: "wrong"),
                try await harness.call(.GET, TestSandbox.scheduler, token: nil),
                try await harness.call(.POST, Self.book, body: "{"),
            ]
            await harness.sandbox.setFaults(
                Self.faults {
                    $0.failRate = 1; $0.failStatus = 503
                })
            replies.append(try await harness.call(.GET, TestSandbox.scheduler))
            await harness.sandbox.setFaults(SandboxFaults())
            for reply in replies {
                #expect((400..<600).contains(reply.status))
                let keys = Set(try reply.object().keys)
                #expect(keys.isSubset(of: allowed), "\(reply.text)")
                #expect(["status", "message", "correlationId", "category"].allSatisfy(keys.contains), "\(reply.text)")
            }
            let missingScopes = try await harness.call(.POST, Self.book, token: "sandbox-read-only", json: body)
            try missingScopes.expectHubSpotError(status: 403, category: "MISSING_SCOPES")
            let scopes = try missingScopes.object()
            #expect(Set(scopes.keys).isSubset(of: allowed))
            #expect((scopes["links"] as? [String: String])?["scopes"]?.hasPrefix("https://") == true)
            let detail = try #require((scopes["errors"] as? [[String: Any]])?.first)
            #expect(detail["message"] is String)
            #expect(Set(detail.keys).isSubset(of: ["message", "code", "in", "subCategory", "context"]))
        }
    }

    /// 4. `calendarProvider` from HubSpot's enum (the offline rep: `UNKNOWN`), options as objects, consent options
    /// with every key.
    @Test func bookingInfoUsesHubSpotsShapes() async throws {
        try await TestSandbox.with { harness in
            let path = "\(TestSandbox.scheduler)/book/"
            let roundRobin = try await harness.call(
                .GET, path + TestSandbox.encoded(SandboxSeeds.roundRobinLinkSlug) + "?timezone=UTC"
            ).object()
            let users = try #require(roundRobin["allUsersBusyTimes"] as? [[String: Any]])
            var providers: [String: String] = [:]
            for user in users {
                let meetingsUser = try #require(user["meetingsUser"] as? [String: Any])
                providers[meetingsUser["userId"] as? String ?? ""] = meetingsUser["calendarProvider"] as? String
                #expect(meetingsUser["isSalesStarter"] is Bool)
            }
            #expect(providers[SandboxSeeds.offlineUserId] == "UNKNOWN")
            #expect(providers.values.allSatisfy { ["EXCHANGE", "GOOGLE", "OFFICE365", "UNKNOWN"].contains($0) })

            let params = try #require(roundRobin["customParams"] as? [String: Any])
            let fields = try #require(params["formFields"] as? [[String: Any]])
            let choice = try #require(fields.first { $0["name"] as? String == SandboxSeeds.choiceFormField })
            let options = try #require(choice["options"] as? [[String: Any]])
            #expect(options.compactMap { $0["value"] as? String } == ["1_10", "11_50", "51_plus"])
            for option in options {
                #expect(
                    Set(option.keys)
                        == ["label", "value", "displayOrder", "hidden", "description", "readOnly", "doubleData"])
            }
            #expect(fields.allSatisfy { $0["options"] is [Any] })

            let personal = try await harness.call(
                .GET, path + TestSandbox.encoded(Self.personal) + "?timezone=UTC"
            ).object()
            let consent = try #require(
                (personal["customParams"] as? [String: Any])?["legalConsentOptions"] as? [String: Any])
            let required: Set<String> = [
                "communicationConsentCheckboxes", "communicationConsentText", "isLegitimateInterest",
                "legitimateInterestSubscriptionTypes", "privacyPolicyText", "processingConsentCheckboxLabel",
                "processingConsentFooterText", "processingConsentText", "processingConsentType",
            ]
            #expect(required.isSubset(of: Set(consent.keys)), "\(consent.keys.sorted())")
        }
    }

    /// 5a. `afterBookStatus`: the booking is made, the answer is the status; `failBody: "html"` makes it a page.
    @Test func afterBookStatusBooksThenAnswersTheStatus() async throws {
        try await TestSandbox.with { harness in
            let starts = try await Self.separateStarts(harness)
            let set = try await harness.call(
                .POST, "/__sandbox/faults", token: nil, json: ["afterBookStatus": 524])
            #expect(set.status == 200, "\(set.text)")
            #expect(try set.object()["afterBookStatus"] as? Int == 524)
            let first = try await harness.call(
                .POST, Self.book,
                json: TestSandbox.bookBody(slug: Self.personal, start: starts[0], duration: Self.thirtyMinutes))
            try first.expectHubSpotError(status: 524, category: "ORIGIN_TIMEOUT")

            _ = try await harness.call(
                .POST, "/__sandbox/faults", token: nil, json: ["afterBookStatus": 502, "failBody": "html"])
            let second = try await harness.call(
                .POST, Self.book,
                json: TestSandbox.bookBody(slug: Self.personal, start: starts[1], duration: Self.thirtyMinutes))
            #expect(second.status == 502)
            #expect(second.headers.first(name: "Content-Type")?.hasPrefix("text/html") == true)
            #expect(second.text.contains("<html>") && (try? second.object()) == nil)
            #expect(await harness.sandbox.bookings().map(\.startMillis) == [starts[0], starts[1]])

            let invalid = try await harness.call(.POST, "/__sandbox/faults", token: nil, json: ["afterBookStatus": 521])
            try invalid.expectHubSpotError(status: 400, category: "VALIDATION_ERROR")
        }
    }

    /// 5b. `failBody: "html"` on injected 5xx; 423 and 477 carry `Retry-After`.
    @Test func htmlFailuresAndLockedAnswers() async throws {
        try await TestSandbox.with({
            $0.faults = Self.faults {
                $0.failRate = 1; $0.failBody = .html
            }
        }) {
            harness in
            let page = try await harness.call(.GET, TestSandbox.scheduler)
            #expect(page.status == 503)
            #expect(page.headers.first(name: "Content-Type")?.hasPrefix("text/html") == true)
            #expect(page.text.contains("503"))

            for status in [423, 477] {
                let set = try await harness.call(
                    .POST, "/__sandbox/faults", token: nil,
                    json: ["failRate": 1, "failStatus": status, "retryAfterSeconds": 7])
                #expect(set.status == 200, "\(set.text)")
                let reply = try await harness.call(.GET, TestSandbox.scheduler)
                #expect(reply.status == status)
                #expect(reply.headers.first(name: "Retry-After") == "7")
                #expect(reply.headers.first(name: "X-HubSpot-RateLimit-Max") == "100")
                #expect(try reply.object()["correlationId"] is String)
            }
        }
    }

    /// 5c. `emptyCalendarEventRate`: 200 with `isOffline: false` and no calendar event.
    @Test func emptyCalendarEventIsNotOffline() async throws {
        try await TestSandbox.with({ $0.faults.emptyCalendarEventRate = 1 }) { harness in
            let start = try #require(
                try await harness.offeredStarts(slug: Self.personal, duration: Self.thirtyMinutes).first)
            let reply = try await harness.call(
                .POST, Self.book,
                json: TestSandbox.bookBody(slug: Self.personal, start: start, duration: Self.thirtyMinutes))
            #expect(reply.status == 200)
            #expect(try reply.object()["isOffline"] as? Bool == false)
            #expect(try reply.object()["calendarEventId"] as? String == "")
            #expect(await harness.sandbox.bookings().first?.calendarEventId == "")
        }
    }

    /// 5d. `tokenLifetimeSeconds` shortens the life of tokens already issued and sets `expires_in` of new ones.
    @Test func tokenLifetimeFaultExpiresHeldTokens() async throws {
        try await TestSandbox.with { harness in
            let issued = try await harness.call(
                .POST, Self.tokenPath, token: nil, body: Self.refreshBody + "sandbox-refresh-token",
                contentType: Self.form
            ).object()
            #expect(issued["expires_in"] as? Int == 1800)
            let access = try #require(issued["access_token"] as? String)
            let set = try await harness.call(.POST, "/__sandbox/faults", token: nil, json: ["tokenLifetimeSeconds": 1])
            #expect(set.status == 200)
            try await Task.sleep(for: .milliseconds(1100))
            let expired = try await harness.call(.GET, TestSandbox.scheduler, token: access)
            try expired.expectHubSpotError(status: 401, category: "EXPIRED_AUTHENTICATION")
            let rotated = try #require(issued["refresh_token"] as? String)
            let next = try await harness.call(
                .POST, Self.tokenPath, token: nil, body: Self.refreshBody + rotated, contentType: Self.form
            ).object()
            #expect(next["expires_in"] as? Int == 1)
        }
    }

    /// 6. The daily limit is the account's, shared by its tokens, and resets at midnight in its zone; the
    /// 10-second limit is per app.
    @Test func dailyLimitIsTheAccountsAndResetsAtItsMidnight() async throws {
        var configuration = SandboxConfiguration()
        configuration.dailyLimit = 3
        configuration.rateLimit = 1
        #expect(configuration.accountTimeZone == "America/New_York")
        let state = SandboxState(configuration: configuration)
        func millis(_ text: String) throws -> Int64 {
            Int64(try Date.ISO8601FormatStyle().parse(text).timeIntervalSince1970 * 1000)
        }
        func policy(_ token: String, _ at: String) async throws -> String {
            let admission = await state.admit(authorization: "Bearer \(token)", now: try millis(at))
            switch admission.caller {
            case .success: return "admitted"
            case .failure(let error):
                guard case .rateLimit(let body) = error.body else { return "status \(error.status)" }
                return body.policyName
            }
        }
        // 23:58 and 23:59 in New York: the full and the read-only token share the account's three calls; each
        // token (app) has its own 10-second window.
        #expect(try await policy("sandbox-token", "2026-12-03T04:58:00Z") == "admitted")
        #expect(try await policy("sandbox-read-only", "2026-12-03T04:58:01Z") == "admitted", "per-app window")
        #expect(try await policy("sandbox-token", "2026-12-03T04:58:02Z") == "TEN_SECONDLY_ROLLING")
        #expect(try await policy("sandbox-token", "2026-12-03T04:59:00Z") == "admitted")
        #expect(try await policy("sandbox-read-only", "2026-12-03T04:59:30Z") == "DAILY", "shared by the tokens")
        // Past New York's midnight the day is new.
        #expect(try await policy("sandbox-token", "2026-12-03T05:00:30Z") == "admitted")

        var london = SandboxConfiguration()
        london.dailyLimit = 1
        london.accountTimeZone = "Europe/London"
        let other = SandboxState(configuration: london)
        let before = await other.admit(authorization: "Bearer sandbox-token", now: try millis("2026-12-02T23:59:00Z"))
        #expect(before.headers.contains { $0 == ("X-HubSpot-RateLimit-Daily-Remaining", "0") })
        let after = await other.admit(authorization: "Bearer sandbox-token", now: try millis("2026-12-03T00:00:30Z"))
        #expect((try? after.caller.get()) == .fullScope, "London's midnight is UTC's in December")
    }

    /// 7. An out-of-range `monthOffset` is a 400 that says the range; a non-number says it must be an integer.
    @Test func monthOffsetOutOfRangeSaysTheRange() async throws {
        try await TestSandbox.with { harness in
            for offset in ["25", "-13", "99999999999", "next"] {
                let path =
                    "\(TestSandbox.scheduler)/book/availability-page/\(TestSandbox.encoded(Self.personal))"
                    + "?timezone=UTC&monthOffset=\(offset)"
                let reply = try await harness.call(.GET, path)
                try reply.expectHubSpotError(status: 400, category: "VALIDATION_ERROR")
                let message = try reply.object()["message"] as? String ?? ""
                if offset == "next" {
                    #expect(message.contains("must be an integer"), "\(message)")
                } else {
                    #expect(message.contains("from -12 to 24"), "\(message)")
                }
            }
            let page = try await harness.call(
                .GET, TestSandbox.availabilityPath(Self.personal, timezone: "UTC", monthOffset: 24))
            #expect(page.status == 200)
        }
    }

    /// Offered starts of the personal link whose 30-minute meetings do not overlap.
    static func separateStarts(_ harness: TestSandbox) async throws -> [Int64] {
        var starts: [Int64] = []
        for start in try await harness.offeredStarts(slug: Self.personal, duration: Self.thirtyMinutes)
        where starts.last.map({ start >= $0 + Self.thirtyMinutes }) ?? true {
            starts.append(start)
        }
        return starts
    }

    static func faults(_ change: (inout SandboxFaults) -> Void) -> SandboxFaults {
        var faults = SandboxFaults()
        change(&faults)
        return faults
    }
}
