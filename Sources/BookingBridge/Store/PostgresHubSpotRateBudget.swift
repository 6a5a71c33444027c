import Logging
import PostgresNIO

/// The budget kept in PostgreSQL (`sql/002_hubspot_rate_budget.sql`), shared by every bridge process on the
/// database. One round trip to take a call, one to finish it.
public struct PostgresHubSpotRateBudget: HubSpotRateBudget {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func take(account: String, limits: HubSpotRateLimits) async throws -> HubSpotRateDecision {
        let rows = try await database.query(
            """
            SELECT granted, call_id, wait_ms, remaining, policy
            FROM hubspot_rate_take(\(account), \(Int64(limits.perWindow)), \(limits.windowMillis),
                                   \(limits.daily), \(limits.maxCallMillis), \(limits.safetyMarginMillis))
            """, logger: database.logger)
        for try await (granted, callID, waitMillis, remaining, policy) in rows.decode(
            (Bool, Int64?, Int64, Int64, String?).self)
        {
            if granted, let callID {
                return .granted(HubSpotRatePermit(account: account, id: callID, remaining: Int(remaining)))
            }
            return .wait(milliseconds: waitMillis, policy: HubSpotRatePolicy(policyName: policy))
        }
        throw HubSpotError(
            endpoint: .book, classification: .retryable(after: nil), message: "hubspot_rate_take returned no row")
    }

    public func finish(
        _ permit: HubSpotRatePermit, observation: HubSpotRateObservation, limits: HubSpotRateLimits
    ) async throws {
        try await database.query(
            """
            SELECT hubspot_rate_finish(\(permit.id), \(observation.sent), \(Int64(limits.perWindow)),
                                       \(limits.windowMillis), \(limits.safetyMarginMillis),
                                       \(observation.remaining.map(Int64.init)), \(observation.intervalMillis),
                                       \(observation.pauseMillis), \(observation.pausePolicy?.rawValue))
            """, logger: database.logger)
    }
}
