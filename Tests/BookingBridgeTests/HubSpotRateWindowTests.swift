import BookingBridge
import Testing

/// The budget decision (`HubSpotRateWindow`, mirrored by sql/002_hubspot_rate_budget.sql) and the reading of
/// HubSpot's rate-limit signals (`HubSpotRateObservation`), without I/O.
@Suite("HubSpot rate budget decisions")
struct HubSpotRateWindowTests {
    static let limits = HubSpotRateLimits(
        perWindow: 3, windowMillis: 10_000, daily: 1_000, maxCallMillis: 20_000, safetyMarginMillis: 100)
    static let t0: Int64 = 1_796_300_000_000

    static func permit(_ decision: HubSpotRateDecision) -> HubSpotRatePermit? {
        if case .granted(let permit) = decision { return permit }
        return nil
    }

    @Test("grants up to the limit, then says to wait until a finished call leaves the window")
    func limitThenWait() throws {
        var window = HubSpotRateWindow()
        var permits: [HubSpotRatePermit] = []
        for i in 0..<3 {
            permits.append(try #require(Self.permit(window.take(now: Self.t0 + Int64(i), limits: Self.limits))))
        }
        #expect(permits.map(\.remaining) == [2, 1, 0])
        // All three answered 200 ms later.
        for permit in permits {
            window.finish(id: permit.id, now: Self.t0 + 200, observation: .init(), limits: Self.limits)
        }
        #expect(
            window.take(now: Self.t0 + 300, limits: Self.limits)
                == .wait(milliseconds: 10_000, policy: .tenSecondlyRolling))
        // A window (plus margin) after the answers, a call is free again.
        #expect(Self.permit(window.take(now: Self.t0 + 200 + 10_100, limits: Self.limits)) != nil)
    }

    @Test("a call in flight keeps counting until it is answered")
    func inFlightCounts() throws {
        var window = HubSpotRateWindow()
        for i in 0..<3 { _ = window.take(now: Self.t0 + Int64(i), limits: Self.limits) }
        // Long after the window, the unanswered calls still count (their arrival time at HubSpot is unknown).
        let decision = window.take(now: Self.t0 + 15_000, limits: Self.limits)
        guard case .wait(let millis, .tenSecondlyRolling) = decision else {
            Issue.record("expected a wait, got \(decision)")
            return
        }
        // The wait is only a lower bound: it polls soon, never spins.
        #expect(millis == HubSpotRateWindow.minimumWaitMillis)
        // After the longest call time plus a window, a crashed caller's calls free themselves.
        #expect(Self.permit(window.take(now: Self.t0 + 2 + 20_000 + 10_100, limits: Self.limits)) != nil)
    }

    @Test("a call that was never sent gives its slot back")
    func notSentGivesBack() throws {
        var window = HubSpotRateWindow()
        var last: HubSpotRatePermit?
        for i in 0..<3 { last = Self.permit(window.take(now: Self.t0 + Int64(i), limits: Self.limits)) }
        window.finish(
            id: try #require(last).id, now: Self.t0 + 5, observation: .noAnswer(sent: false), limits: Self.limits)
        #expect(Self.permit(window.take(now: Self.t0 + 6, limits: Self.limits)) != nil)
    }

    @Test("a TEN_SECONDLY_ROLLING 429 pauses the account for the window")
    func tenSecondlyPause() throws {
        var window = HubSpotRateWindow()
        let permit = try #require(Self.permit(window.take(now: Self.t0, limits: Self.limits)))
        let observation = HubSpotRateObservation(
            status: 429, headers: ["x-hubspot-ratelimit-interval-milliseconds": "10000"],
            policyName: "TEN_SECONDLY_ROLLING", retryAfterMillis: nil, limits: Self.limits, nowMillis: Self.t0 + 50)
        #expect(observation.pauseMillis == 10_000)
        window.finish(id: permit.id, now: Self.t0 + 50, observation: observation, limits: Self.limits)
        #expect(
            window.take(now: Self.t0 + 60, limits: Self.limits)
                == .wait(milliseconds: 9_990, policy: .tenSecondlyRolling))
        #expect(Self.permit(window.take(now: Self.t0 + 10_050, limits: Self.limits)) != nil)
    }

    @Test("Retry-After wins over the window when present")
    func retryAfterHonoured() {
        let observation = HubSpotRateObservation(
            status: 429, headers: [:], policyName: "TEN_SECONDLY_ROLLING", retryAfterMillis: 3_000,
            limits: Self.limits, nowMillis: Self.t0)
        #expect(observation.pauseMillis == 3_000)
        #expect(HubSpotRateObservation.retryAfterMillis("3", nowMillis: Self.t0) == 3_000)
        #expect(HubSpotRateObservation.retryAfterMillis("0.5", nowMillis: Self.t0) == 500)
        #expect(HubSpotRateObservation.retryAfterMillis(nil, nowMillis: Self.t0) == nil)
        #expect(HubSpotRateObservation.retryAfterMillis("soon", nowMillis: Self.t0) == nil)
        // 1_796_300_000_000 ms is 2026-12-03T12:13:20Z.
        #expect(HubSpotRateObservation.retryAfterMillis("Thu, 03 Dec 2026 12:13:30 GMT", nowMillis: Self.t0) == 10_000)
    }

    @Test("a DAILY 429 pauses until the next midnight UTC")
    func dailyPause() throws {
        let observation = HubSpotRateObservation(
            status: 429, headers: [:], policyName: "DAILY", retryAfterMillis: nil, limits: Self.limits,
            nowMillis: Self.t0)
        #expect(observation.pausePolicy == .daily)
        let midnight: Int64 = (Self.t0 / 86_400_000 + 1) * 86_400_000
        #expect(observation.pauseMillis == midnight - Self.t0)
        var window = HubSpotRateWindow()
        let permit = try #require(Self.permit(window.take(now: Self.t0, limits: Self.limits)))
        window.finish(id: permit.id, now: Self.t0, observation: observation, limits: Self.limits)
        #expect(
            window.take(now: Self.t0 + 1, limits: Self.limits)
                == .wait(milliseconds: midnight - Self.t0 - 1, policy: .daily))
    }

    @Test("Daily-Remaining 0 pauses until midnight before HubSpot has to say 429")
    func dailyRemainingZero() {
        let observation = HubSpotRateObservation(
            status: 200, headers: ["x-hubspot-ratelimit-daily-remaining": "0"], policyName: nil,
            retryAfterMillis: nil, limits: Self.limits, nowMillis: Self.t0)
        #expect(observation.pausePolicy == .daily)
        #expect(observation.pauseMillis == HubSpotRateObservation.millisUntilMidnightUTC(nowMillis: Self.t0))
    }

    @Test("the configured daily limit stops calls until midnight UTC, and a new day starts afresh")
    func dailyLimit() throws {
        let limits = HubSpotRateLimits(perWindow: 100, daily: 2, maxCallMillis: 1_000)
        var window = HubSpotRateWindow()
        let midnight: Int64 = (Self.t0 / 86_400_000 + 1) * 86_400_000
        #expect(Self.permit(window.take(now: Self.t0, limits: limits)) != nil)
        #expect(Self.permit(window.take(now: Self.t0 + 1, limits: limits)) != nil)
        #expect(
            window.take(now: Self.t0 + 2, limits: limits) == .wait(milliseconds: midnight - Self.t0 - 2, policy: .daily)
        )
        #expect(Self.permit(window.take(now: midnight, limits: limits)) != nil)
    }

    @Test("Remaining lower than expected lowers the limit for the reported interval")
    func tightenedByHeaders() throws {
        let limits = HubSpotRateLimits(perWindow: 10, windowMillis: 10_000, maxCallMillis: 1_000)
        var window = HubSpotRateWindow()
        let permit = try #require(Self.permit(window.take(now: Self.t0, limits: limits)))
        // We have one call in the window, HubSpot says only 4 remain: 5 calls we do not know about.
        let observation = HubSpotRateObservation(
            status: 200,
            headers: ["x-hubspot-ratelimit-remaining": "4", "x-hubspot-ratelimit-interval-milliseconds": "10000"],
            policyName: nil, retryAfterMillis: nil, limits: limits, nowMillis: Self.t0 + 10)
        window.finish(id: permit.id, now: Self.t0 + 10, observation: observation, limits: limits)
        var granted = 0
        while Self.permit(window.take(now: Self.t0 + 20, limits: limits)) != nil { granted += 1 }
        #expect(granted == 4)
        // The lowered limit ends with the reported interval.
        #expect(
            window.take(now: Self.t0 + 20, limits: limits) == .wait(milliseconds: 9_990, policy: .tenSecondlyRolling))
    }

    @Test("Remaining as expected does not tighten")
    func notTightened() throws {
        let limits = HubSpotRateLimits(perWindow: 10, windowMillis: 10_000, maxCallMillis: 1_000)
        var window = HubSpotRateWindow()
        let permit = try #require(Self.permit(window.take(now: Self.t0, limits: limits)))
        let observation = HubSpotRateObservation(
            status: 200, headers: ["x-hubspot-ratelimit-remaining": "9"], policyName: nil, retryAfterMillis: nil,
            limits: limits, nowMillis: Self.t0 + 10)
        window.finish(id: permit.id, now: Self.t0 + 10, observation: observation, limits: limits)
        var granted = 0
        while Self.permit(window.take(now: Self.t0 + 20, limits: limits)) != nil { granted += 1 }
        #expect(granted == 9)
    }

    /// Calls arrive at HubSpot at any moment between take and answer; however they fall, no 10-second window
    /// of arrivals holds more than the limit.
    @Test("simulated arrivals never exceed the limit in any window", arguments: [1, 2, 3])
    func simulatedArrivals(seed: UInt64) {
        var random = SplitMix(seed: seed)
        let limits = HubSpotRateLimits(perWindow: 20, windowMillis: 10_000, maxCallMillis: 5_000, safetyMarginMillis: 0)
        var window = HubSpotRateWindow()
        var arrivals: [Int64] = []
        var inFlight: [(id: Int64, arrival: Int64, answer: Int64)] = []
        var now = Self.t0
        while now < Self.t0 + 120_000 {
            for call in inFlight where call.answer <= now {
                window.finish(id: call.id, now: call.answer, observation: .init(), limits: limits)
            }
            inFlight.removeAll { $0.answer <= now }
            if case .granted(let permit) = window.take(now: now, limits: limits) {
                let sendDelay = Int64(random.next() % 2_000)
                let serverTime = Int64(random.next() % 2_000)
                let arrival = now + sendDelay
                arrivals.append(arrival)
                inFlight.append((permit.id, arrival, arrival + serverTime))
            }
            now += Int64(random.next() % 50)
        }
        arrivals.sort()
        var maxInWindow = 0
        var start = 0
        for (end, arrival) in arrivals.enumerated() {
            while arrivals[start] <= arrival - 10_000 { start += 1 }
            maxInWindow = max(maxInWindow, end - start + 1)
        }
        #expect(arrivals.count > 100)
        #expect(maxInWindow <= 20)
    }
}

/// A small deterministic generator for the simulation.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
