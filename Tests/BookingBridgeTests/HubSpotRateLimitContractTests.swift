import AsyncHTTPClient
import BookingBridge
import Foundation
import HubSpotSandbox
import NIOCore
import NIOHTTP1
import Testing

/// Rate limits against the sandbox: real 429s of both policies, and the budget's own pauses that avoid them.
@Suite("HubSpot client rate limits (sandbox)")
struct HubSpotRateLimitContractTests {
    typealias Kit = TestHubSpot

    /// Uses up the sandbox's limits for `sandbox-token` behind the client's back.
    static func exhaust(_ baseURL: String, calls: Int, http: HTTPClient) async throws {
        for _ in 0..<calls {
            var request = HTTPClientRequest(url: baseURL + "/scheduler/2026-03/meetings/meeting-links")
            request.headers.add(name: "Authorization", value: "Bearer sandbox-token")
            let response = try await http.execute(request, timeout: .seconds(5))
            _ = try await response.body.collect(upTo: 1 << 20)
        }
    }

    struct PauseRun: Sendable {
        var limited: (any Error)?
        var paused: (any Error)?
        var total: Int
        var elapsed: Duration
    }

    @Test("429 TEN_SECONDLY_ROLLING is rate limited with its policy, and pauses the account's budget")
    func rateLimitedTenSecondly() async throws {
        // The calls must come within one 10-second window (see `conclusiveRun`).
        let run = try await conclusiveRun(within: .seconds(8)) {
            try await Kit.withSandbox({ $0.rateLimit = 2 }) { sandbox, baseURL in
                try await Kit.withHTTPClient { http in
                    let client = Kit.client(
                        baseURL: baseURL, httpClient: http, rateLimit: 50, maxBudgetWait: .seconds(1))
                    let started = ContinuousClock.now
                    try await Self.exhaust(baseURL, calls: 2, http: http)
                    let limited = await thrownError { try await client.listMeetingLinks() }
                    // The account is paused for the window: the next call fails at once without reaching HubSpot.
                    let paused = await thrownError { try await client.listMeetingLinks() }
                    let elapsed = ContinuousClock.now - started
                    let total = await sandbox.requestStats().total
                    return (PauseRun(limited: limited, paused: paused, total: total, elapsed: elapsed), elapsed)
                }
            }
        }
        let error = try #require(run.limited as? HubSpotError)
        #expect(error.status == 429)
        #expect(error.classification == .rateLimited(policy: .tenSecondlyRolling, retryAfter: nil))
        #expect(error.policyName == "TEN_SECONDLY_ROLLING")
        #expect(error.correlationId != nil)
        let paused = try #require(run.paused as? HubSpotError)
        #expect(paused.status == nil)
        guard case .rateLimited(.tenSecondlyRolling, let wait?) = paused.classification else {
            Issue.record("expected a local rate limit, got \(paused.classification)")
            return
        }
        // The rest of the window that began with the first call.
        #expect(wait <= .seconds(10) && wait > .seconds(10) - run.elapsed - .milliseconds(100), "\(wait)")
        #expect(run.total == 3)
    }

    @Test("429 DAILY is rate limited with the daily policy and pauses the account until midnight UTC")
    func rateLimitedDaily() async throws {
        try await Kit.withSandbox({ $0.dailyLimit = 2 }) { sandbox, baseURL in
            try await Kit.withHTTPClient { http in
                try await Self.exhaust(baseURL, calls: 2, http: http)
                let client = Kit.client(baseURL: baseURL, httpClient: http, maxBudgetWait: .seconds(1))
                let error = try #require(await Kit.hubSpotError { try await client.listMeetingLinks() })
                #expect(error.status == 429)
                #expect(error.classification == .rateLimited(policy: .daily, retryAfter: nil))
                let paused = try #require(await Kit.hubSpotError { try await client.listMeetingLinks() })
                #expect(paused.status == nil)
                guard case .rateLimited(.daily, let wait?) = paused.classification else {
                    Issue.record("expected a local daily pause, got \(paused.classification)")
                    return
                }
                let midnight = HubSpotRateObservation.millisUntilMidnightUTC(nowMillis: HubSpotTimestamp.millis(Date()))
                // The pause was computed a moment before `midnight` was: allow the skew both ways.
                #expect(wait > .milliseconds(midnight - 5_000) && wait <= .milliseconds(midnight + 5_000))
                #expect(await sandbox.requestStats().total == 3)
            }
        }
    }

    @Test("an injected 429 on /book is rate limited (HubSpot did not book)")
    func injected429() async throws {
        try await Kit.withSandbox { sandbox, baseURL in
            try await Kit.withHTTPClient { http in
                let client = Kit.client(baseURL: baseURL, httpClient: http)
                let slot = try #require(
                    try await Kit.slots(client, slug: SandboxSeeds.personalLinkSlug, durationMillis: 1_800_000).first)
                var faults = SandboxFaults()
                faults.failRate = 1
                faults.failStatus = 429
                await sandbox.setFaults(faults)
                let error = try #require(
                    await Kit.hubSpotError {
                        try await client.book(Kit.bookingRequest(startMillis: slot.startMillisUtc))
                    })
                #expect(error.status == 429)
                #expect(error.classification == .rateLimited(policy: .tenSecondlyRolling, retryAfter: nil))
                #expect(!error.mayHaveBooked)
                #expect(await sandbox.bookings().isEmpty)
            }
        }
    }

    @Test("HubSpot's headers tighten the budget: a lower real limit than configured gives no 429")
    func tightenedByHeaders() async throws {
        try await Kit.withSandbox({ $0.rateLimit = 2 }) { sandbox, baseURL in
            try await Kit.withHTTPClient { http in
                // The client believes in 50 per 10 s; the sandbox allows 2 and says so in X-HubSpot-RateLimit-Remaining.
                let client = Kit.client(baseURL: baseURL, httpClient: http, rateLimit: 50, maxBudgetWait: .seconds(1))
                _ = try await client.listMeetingLinks()
                _ = try await client.listMeetingLinks()
                let error = try #require(await Kit.hubSpotError { try await client.listMeetingLinks() })
                #expect(error.status == nil)
                guard case .rateLimited(.tenSecondlyRolling, _) = error.classification else {
                    Issue.record("expected a local rate limit, got \(error.classification)")
                    return
                }
                let stats = await sandbox.requestStats()
                #expect(stats.total == 2)
                #expect(stats.rateLimited == 0)
            }
        }
    }

    @Test("Daily-Remaining 0 pauses the account before HubSpot has to answer 429")
    func dailyRemainingZero() async throws {
        try await Kit.withSandbox({ $0.dailyLimit = 1 }) { sandbox, baseURL in
            try await Kit.withHTTPClient { http in
                let client = Kit.client(baseURL: baseURL, httpClient: http, maxBudgetWait: .seconds(1))
                _ = try await client.listMeetingLinks()
                let error = try #require(await Kit.hubSpotError { try await client.listMeetingLinks() })
                #expect(error.status == nil)
                #expect(error.policyName == "DAILY")
                #expect(await sandbox.requestStats().total == 1)
            }
        }
    }
}
