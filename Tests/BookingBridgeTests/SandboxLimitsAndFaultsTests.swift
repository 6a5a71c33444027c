import AsyncHTTPClient
import Foundation
import HubSpotSandbox
import NIOHTTP1
import Testing

/// Rate limits, injected faults, dropped connections and the control API.
@Suite("Sandbox limits and faults")
struct SandboxLimitsAndFaultsTests {
    static let scheduler = TestSandbox.scheduler

    struct WindowRun: Sendable {
        var replies: [SandboxReply]
        var limited: SandboxReply
        var otherToken: SandboxReply
        var stats: SandboxRequestStats
    }

    @Test func rateLimitHeadersAndTenSecondlyLimit() async throws {
        // Seven calls meant to fall in one 10-second window (see `conclusiveRun`).
        let run = try await conclusiveRun(within: .seconds(8)) {
            try await TestSandbox.with({ $0.rateLimit = 5 }) { harness in
                let started = ContinuousClock.now
                var replies: [SandboxReply] = []
                for _ in 0..<5 { replies.append(try await harness.call(.GET, Self.scheduler)) }
                let limited = try await harness.call(.GET, Self.scheduler)
                // Each token has its own window.
                let other = try await harness.call(.GET, Self.scheduler, token: "sandbox-read-only")
                let elapsed = ContinuousClock.now - started
                let stats = await harness.sandbox.requestStats()
                return (WindowRun(replies: replies, limited: limited, otherToken: other, stats: stats), elapsed)
            }
        }
        for (reply, expectedRemaining) in zip(run.replies, (0..<5).reversed()) {
            #expect(reply.status == 200)
            #expect(reply.headers.first(name: "X-HubSpot-RateLimit-Max") == "5")
            #expect(reply.headers.first(name: "X-HubSpot-RateLimit-Remaining") == String(expectedRemaining))
            #expect(reply.headers.first(name: "X-HubSpot-RateLimit-Interval-Milliseconds") == "10000")
            #expect(reply.headers.first(name: "X-HubSpot-RateLimit-Daily") == "250000")
        }
        let limited = run.limited
        #expect(limited.status == 429)
        let body = try limited.object()
        #expect(body["policyName"] as? String == "TEN_SECONDLY_ROLLING")
        #expect(body["errorType"] as? String == "RATE_LIMIT")
        #expect(body["status"] as? String == "error")
        #expect(UUID(uuidString: body["correlationId"] as? String ?? "") != nil)
        #expect((body["requestId"] as? String)?.isEmpty == false)
        #expect(limited.headers.first(name: "X-HubSpot-RateLimit-Remaining") == "0")
        #expect(run.otherToken.status == 200)
        #expect(run.stats.total == 7 && run.stats.rateLimited == 1 && run.stats.maxInAnyWindow == 7)
    }

    @Test func dailyLimitAnswersDailyPolicy() async throws {
        try await TestSandbox.with({ $0.dailyLimit = 2 }) { harness in
            _ = try await harness.call(.GET, Self.scheduler)
            let second = try await harness.call(.GET, Self.scheduler)
            #expect(second.headers.first(name: "X-HubSpot-RateLimit-Daily-Remaining") == "0")
            let third = try await harness.call(.GET, Self.scheduler)
            #expect(third.status == 429)
            #expect(try third.object()["policyName"] as? String == "DAILY")
            await harness.sandbox.reset()
            #expect(try await harness.call(.GET, Self.scheduler).status == 200)
        }
    }

    @Test func injectedFailuresAndLatency() async throws {
        try await TestSandbox.with { harness in
            var faults = SandboxFaults()
            faults.failRate = 1
            faults.failStatus = 502
            await harness.sandbox.setFaults(faults)
            let failed = try await harness.call(.GET, Self.scheduler)
            try failed.expectHubSpotError(status: 502, category: "BAD_GATEWAY")
            #expect(failed.headers.first(name: "X-HubSpot-RateLimit-Max") == "100")

            let setByHTTP = try await harness.call(
                .POST, "/__sandbox/faults", token: nil, json: ["failRate": 1, "failStatus": 429])
            #expect(setByHTTP.status == 200, "\(setByHTTP.text)")
            let limited = try await harness.call(.GET, Self.scheduler)
            #expect(limited.status == 429)
            #expect(try limited.object()["policyName"] as? String == "TEN_SECONDLY_ROLLING")

            let invalid = try await harness.call(.POST, "/__sandbox/faults", token: nil, json: ["failStatus": 418])
            try invalid.expectHubSpotError(status: 400, category: "VALIDATION_ERROR")

            _ = try await harness.call(.POST, "/__sandbox/faults", token: nil, json: ["latencyMs": 300])
            let current = try await harness.call(.GET, "/__sandbox/faults", token: nil)
            #expect(try current.object()["latencyMs"] as? Int == 300)
            #expect(try current.object()["failRate"] as? Double == 0)
            let started = ContinuousClock.now
            #expect(try await harness.call(.GET, Self.scheduler).status == 200)
            #expect(ContinuousClock.now - started >= .milliseconds(300))
            #expect(await harness.sandbox.requestStats().faulted == 2)

            let reset = try await harness.call(.POST, "/__sandbox/reset", token: nil)
            #expect(reset.status == 200)
            let afterReset = try await harness.call(.GET, "/__sandbox/faults", token: nil)
            #expect(try afterReset.object()["latencyMs"] as? Int == 0)
        }
    }

    @Test func dropAfterBookRecordsTheBookingButNeverAnswers() async throws {
        try await TestSandbox.with({ $0.faults.dropAfterBookRate = 1 }) { harness in
            let slug = SandboxSeeds.personalLinkSlug
            let start = try #require(try await harness.offeredStarts(slug: slug, duration: 1_800_000).first)
            do {
                let reply = try await harness.call(
                    .POST, "\(Self.scheduler)/book",
                    json: TestSandbox.bookBody(slug: slug, start: start, duration: 1_800_000))
                Issue.record("expected no answer, got \(reply.status) \(reply.text)")
            } catch {
                #expect(error is HTTPClientError, "\(String(reflecting: error))")
            }
            let bookings = try await harness.call(.GET, "/__sandbox/bookings", token: nil).array()
            #expect(bookings.count == 1)
            #expect((bookings.first?["startMillis"] as? NSNumber)?.int64Value == start)
            #expect(await harness.sandbox.requestStats().dropped == 1)

            // A blind retry of the uncertain attempt meets HubSpot's "time not available".
            await harness.sandbox.setFaults(SandboxFaults())
            let retry = try await harness.call(
                .POST, "\(Self.scheduler)/book",
                json: TestSandbox.bookBody(slug: slug, start: start, duration: 1_800_000))
            #expect(retry.subCategory == "MeetingsBookingSchedulingError.MEETING_TIME_NOT_AVAILABLE")
        }
    }

    @Test func concurrentBookingsOfOneSlotSucceedOnce() async throws {
        try await TestSandbox.with { harness in
            let slug = SandboxSeeds.personalLinkSlug
            let start = try #require(try await harness.offeredStarts(slug: slug, duration: 1_800_000).first)
            let statuses = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for index in 0..<20 {
                    group.addTask {
                        let reply = try await harness.call(
                            .POST, "\(Self.scheduler)/book",
                            json: TestSandbox.bookBody(
                                slug: slug, start: start, duration: 1_800_000, ["email": "c\(index)@buyer.dev"]))
                        return (reply.status, reply.subCategory)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.count { $0.0 == 200 } == 1)
            #expect(statuses.count { $0.1 == "MeetingsBookingSchedulingError.MEETING_TIME_NOT_AVAILABLE" } == 19)
            #expect(await harness.sandbox.bookings().count == 1)
        }
    }

    @Test func concurrentBurstIsCutAtTheLimit() async throws {
        // Fifty calls meant to fall in one 10-second window (see `conclusiveRun`).
        let (statuses, stats) = try await conclusiveRun(within: .seconds(8)) {
            try await TestSandbox.with({ $0.rateLimit = 30 }) { harness in
                let started = ContinuousClock.now
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<50 {
                        group.addTask { try await harness.call(.GET, Self.scheduler).status }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                let elapsed = ContinuousClock.now - started
                return ((statuses, await harness.sandbox.requestStats()), elapsed)
            }
        }
        #expect(statuses.count { $0 == 200 } == 30)
        #expect(statuses.count { $0 == 429 } == 20)
        #expect(stats.total == 50 && stats.maxInAnyWindow == 50 && stats.rateLimited == 20)
    }

    @Test func unknownRoutesAndMethodsAreRejected() async throws {
        try await TestSandbox.with { harness in
            let unknown = try await harness.call(.GET, "/crm/v3/objects/contacts")
            try unknown.expectHubSpotError(status: 404, category: "OBJECT_NOT_FOUND")
            let wrongMethod = try await harness.call(.DELETE, Self.scheduler)
            #expect(wrongMethod.status == 405)
            let oldOAuth = try await harness.call(
                .POST, "/oauth/v1/token", token: nil, body: "grant_type=refresh_token")
            #expect(oldOAuth.status == 404)
        }
    }
}
