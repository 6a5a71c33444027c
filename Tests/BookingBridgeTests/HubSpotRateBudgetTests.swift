import AsyncHTTPClient
import BookingBridge
import Foundation
import HubSpotSandbox
import Logging
import PostgresNIO
import Testing

/// The PostgreSQL budget (sql/002_hubspot_rate_budget.sql): the same decisions as `HubSpotRateWindow`, and
/// several clients on several pools sharing it against the sandbox.
@Suite("HubSpot rate budget (PostgreSQL)")
struct HubSpotRateBudgetTests {
    typealias Kit = TestHubSpot

    static let limits = HubSpotRateLimits(
        perWindow: 3, windowMillis: 10_000, daily: 1_000, maxCallMillis: 20_000, safetyMarginMillis: 100)

    static func permit(_ decision: HubSpotRateDecision) -> HubSpotRatePermit? {
        if case .granted(let permit) = decision { return permit }
        return nil
    }

    @Test("takes up to the limit, waits, and a call never sent gives its slot back")
    func takeAndFinish() async throws {
        try await TestDatabase.withFreshDatabase { db in
            let budget = PostgresHubSpotRateBudget(database: db)
            var permits: [HubSpotRatePermit] = []
            let began = ContinuousClock.now
            for _ in 0..<3 {
                permits.append(try #require(Self.permit(try await budget.take(account: "a", limits: Self.limits))))
            }
            #expect(permits.map(\.remaining) == [2, 1, 0])
            let full = try await budget.take(account: "a", limits: Self.limits)
            guard case .wait(let millis, .tenSecondlyRolling) = full else {
                Issue.record("expected a wait, got \(full)")
                return
            }
            // The wait runs to the end of the window the first permit opened (plus the safety margin), less the
            // time the takes themselves took.
            let taken = (ContinuousClock.now - began).milliseconds
            #expect(millis > 10_000 - taken - 200 && millis <= 10_100, "wait \(millis) ms, \(taken) ms after the first")
            // Another account has its own budget.
            #expect(Self.permit(try await budget.take(account: "b", limits: Self.limits)) != nil)
            try await budget.finish(permits[2], observation: .noAnswer(sent: false), limits: Self.limits)
            #expect(Self.permit(try await budget.take(account: "a", limits: Self.limits)) != nil)
        }
    }

    @Test("a finished call counts a window after its answer")
    func finishedCallCounts() async throws {
        let limits = HubSpotRateLimits(
            perWindow: 1, windowMillis: 1_500, daily: 1_000, maxCallMillis: 20_000, safetyMarginMillis: 0)
        try await TestDatabase.withFreshDatabase { db in
            let budget = PostgresHubSpotRateBudget(database: db)
            let permit = try #require(Self.permit(try await budget.take(account: "a", limits: limits)))
            try await Task.sleep(for: .milliseconds(1_600))
            // Still in flight: it counts however long ago it was taken.
            #expect(Self.permit(try await budget.take(account: "a", limits: limits)) == nil)
            try await budget.finish(permit, observation: .init(), limits: limits)
            #expect(Self.permit(try await budget.take(account: "a", limits: limits)) == nil)
            try await Task.sleep(for: .milliseconds(1_600))
            #expect(Self.permit(try await budget.take(account: "a", limits: limits)) != nil)
        }
    }

    @Test("a 429 pauses the account (TEN_SECONDLY for the window, DAILY until midnight UTC)")
    func pauses() async throws {
        try await TestDatabase.withFreshDatabase { db in
            let budget = PostgresHubSpotRateBudget(database: db)
            let first = try #require(Self.permit(try await budget.take(account: "a", limits: Self.limits)))
            try await budget.finish(
                first, observation: HubSpotRateObservation(pauseMillis: 10_000, pausePolicy: .tenSecondlyRolling),
                limits: Self.limits)
            let paused = try await budget.take(account: "a", limits: Self.limits)
            guard case .wait(let millis, .tenSecondlyRolling) = paused else {
                Issue.record("expected a pause, got \(paused)")
                return
            }
            #expect(millis > 9_000 && millis <= 10_000)

            let other = try #require(Self.permit(try await budget.take(account: "d", limits: Self.limits)))
            let now = HubSpotTimestamp.millis(Date())
            let daily = HubSpotRateObservation(
                status: 429, headers: [:], policyName: "DAILY", retryAfterMillis: nil, limits: Self.limits,
                nowMillis: now)
            try await budget.finish(other, observation: daily, limits: Self.limits)
            let untilMidnight = try await budget.take(account: "d", limits: Self.limits)
            guard case .wait(let wait, .daily) = untilMidnight else {
                Issue.record("expected a daily pause, got \(untilMidnight)")
                return
            }
            #expect(abs(wait - HubSpotRateObservation.millisUntilMidnightUTC(nowMillis: now)) < 5_000)
        }
    }

    @Test("the daily limit stops calls until midnight UTC")
    func dailyLimit() async throws {
        let limits = HubSpotRateLimits(perWindow: 100, daily: 2, maxCallMillis: 1_000)
        try await TestDatabase.withFreshDatabase { db in
            let budget = PostgresHubSpotRateBudget(database: db)
            #expect(Self.permit(try await budget.take(account: "a", limits: limits)) != nil)
            #expect(Self.permit(try await budget.take(account: "a", limits: limits)) != nil)
            let decision = try await budget.take(account: "a", limits: limits)
            guard case .wait(let wait, .daily) = decision else {
                Issue.record("expected the daily limit, got \(decision)")
                return
            }
            let expected = HubSpotRateObservation.millisUntilMidnightUTC(nowMillis: HubSpotTimestamp.millis(Date()))
            #expect(abs(wait - expected) < 5_000)
        }
    }

    @Test("Remaining lower than expected lowers the limit for the interval")
    func tightened() async throws {
        let limits = HubSpotRateLimits(perWindow: 10, windowMillis: 10_000, maxCallMillis: 1_000)
        try await TestDatabase.withFreshDatabase { db in
            let budget = PostgresHubSpotRateBudget(database: db)
            let permit = try #require(Self.permit(try await budget.take(account: "a", limits: limits)))
            try await budget.finish(
                permit, observation: HubSpotRateObservation(remaining: 4, intervalMillis: 10_000), limits: limits)
            var granted = 0
            while Self.permit(try await budget.take(account: "a", limits: limits)) != nil { granted += 1 }
            #expect(granted == 4)
        }
    }

    @Test("concurrent takers never get more than the limit")
    func concurrentTakes() async throws {
        let limits = HubSpotRateLimits(perWindow: 25, windowMillis: 10_000, maxCallMillis: 20_000)
        try await TestDatabase.withFreshDatabase { db in
            let budget = PostgresHubSpotRateBudget(database: db)
            let granted = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<60 {
                    group.addTask { Self.permit(try await budget.take(account: "a", limits: limits)) == nil ? 0 : 1 }
                }
                return try await group.reduce(0, +)
            }
            #expect(granted == 25)
        }
    }

    /// Three bridge "processes" (each its own database pool, HTTP client and HubSpot client) share one budget
    /// and fire 400 booking calls as fast as they can at a sandbox limited to 100 per rolling 10 s.
    @Test("three clients sharing one database budget: 400 calls, zero 429s, never over 100 in 10 s")
    func threeClientsShareTheBudget() async throws {
        try await TestDatabase.withFreshDatabase(migrate: true, maximumConnections: 10) { db, url in
            try await Kit.withSandbox({ $0.rateLimit = 100 }) { sandbox, baseURL in
                let second = try Database(url: url, maximumConnections: 10, logger: db.logger)
                let third = try Database(url: url, maximumConnections: 10, logger: db.logger)
                try await withThrowingTaskGroup(of: Void.self) { pools in
                    pools.addTask { await second.client.run() }
                    pools.addTask { await third.client.run() }
                    defer { pools.cancelAll() }
                    let report = try await Self.fire(
                        calls: 400, databases: [db, second, third], sandbox: sandbox, baseURL: baseURL)
                    let stats = await sandbox.requestStats()
                    print(
                        "three-client budget: \(report.calls) calls in \(report.seconds) s, outcomes \(report.outcomes), "
                            + "sandbox total \(stats.total), max in any 10 s window \(stats.maxInAnyWindow), "
                            + "429s \(stats.rateLimited)")
                    #expect(report.calls == 400)
                    #expect(report.outcomes["429", default: 0] == 0)
                    #expect(report.outcomes["budget_exhausted", default: 0] == 0)
                    #expect(stats.rateLimited == 0)
                    // Every call reached the sandbox, or provably never left this process (a connection that could not
                    // be opened in time on a loaded machine is `retryable`, never sent).
                    #expect(stats.total + report.outcomes["retryable", default: 0] == 400)
                    #expect(report.outcomes["retryable", default: 0] <= 40)
                    #expect(stats.maxInAnyWindow <= 100)
                }
            }
        }
    }

    struct FireReport: Sendable {
        var calls = 0
        var outcomes: [String: Int] = [:]
        var seconds = 0.0
    }

    /// `calls` booking attempts of one slot, spread over one client per database, 40 concurrent per client.
    static func fire(
        calls: Int, databases: [Database], sandbox: HubSpotSandbox, baseURL: String
    ) async throws -> FireReport {
        let started = ContinuousClock.now
        let reports = try await withThrowingTaskGroup(of: FireReport.self) { group in
            for (index, database) in databases.enumerated() {
                let share = calls / databases.count + (index < calls % databases.count ? 1 : 0)
                group.addTask {
                    try await Kit.withHTTPClient { http in
                        let client = Kit.client(
                            baseURL: baseURL, httpClient: http, budget: PostgresHubSpotRateBudget(database: database),
                            rateLimit: 100, maxBudgetWait: .seconds(120), account: "shared-account")
                        let start = HubSpotTimestamp.millis(Date()) + 86_400_000 * 7
                        let request = Kit.bookingRequest(startMillis: start - start % 3_600_000)
                        return try await withThrowingTaskGroup(of: String.self) { attempts in
                            var report = FireReport()
                            var next = 0
                            func launch() {
                                guard next < share else { return }
                                next += 1
                                attempts.addTask {
                                    do {
                                        _ = try await client.book(request)
                                        return "ok"
                                    } catch let error as HubSpotError {
                                        if error.status == 429 { return "429" }
                                        if error.status == nil, case .rateLimited = error.classification {
                                            return "budget_exhausted"
                                        }
                                        return error.status.map(String.init) ?? error.classification.name
                                    }
                                }
                            }
                            for _ in 0..<40 { launch() }
                            for try await outcome in attempts {
                                report.calls += 1
                                report.outcomes[outcome, default: 0] += 1
                                launch()
                            }
                            return report
                        }
                    }
                }
            }
            var total = FireReport()
            for try await report in group {
                total.calls += report.calls
                total.outcomes.merge(report.outcomes, uniquingKeysWith: +)
            }
            return total
        }
        var report = reports
        let elapsed = ContinuousClock.now - started
        report.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return report
    }
}
