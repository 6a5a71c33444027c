import Foundation

/// A budget kept in this process only (`HubSpotRateWindow` per account): for a single process without a shared
/// database, and for tests.
public actor InMemoryHubSpotRateBudget: HubSpotRateBudget {
    private var windows: [String: HubSpotRateWindow] = [:]
    private let now: @Sendable () -> Int64

    /// - Parameter now: the clock, epoch milliseconds (injectable for tests).
    public init(now: @escaping @Sendable () -> Int64 = { HubSpotTimestamp.millis(Date()) }) {
        self.now = now
    }

    public func take(account: String, limits: HubSpotRateLimits) -> HubSpotRateDecision {
        windows[account, default: HubSpotRateWindow()].take(now: now(), limits: limits, account: account)
    }

    public func finish(_ permit: HubSpotRatePermit, observation: HubSpotRateObservation, limits: HubSpotRateLimits) {
        windows[permit.account, default: HubSpotRateWindow()].finish(
            id: permit.id, now: now(), observation: observation, limits: limits)
    }
}
