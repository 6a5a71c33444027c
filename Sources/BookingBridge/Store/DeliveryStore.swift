import Foundation
import Logging
import PostgresNIO

/// SQL for the outbox's `deliveries` and `delivery_attempts`: claiming due work with a lease, recording attempts,
/// and the admin operations (list, redeliver, recover).
public struct DeliveryStore: Sendable {
    public let database: Database

    public init(database: Database) { self.database = database }

    /// Claims up to `limit` due deliveries of enabled subscriptions for `owner` until `now + lease`.
    ///
    /// Each subscription gives at most `quotas[id]` rows (`defaultQuota` when absent), so a per-subscription
    /// concurrency cap and rate hold without claiming rows that would only wait. Rows come from the partial index
    /// `deliveries_due`, a few per enabled subscription, so a claim costs the same with 10 or 100,000 due rows and
    /// never reads a disabled subscription's backlog. The lease moves `next_attempt_at` to its end: a delivery whose
    /// dispatcher died becomes due again by itself. Claiming counts the attempt.
    public func claim(
        owner: String, limit: Int, quotas: [UUID: Int], defaultQuota: Int, lease: Duration
    ) async throws -> [ClaimedDelivery] {
        guard limit > 0 else { return [] }
        let ids = Array(quotas.keys)
        let values = ids.map { quotas[$0]! }
        let leaseMs = lease.milliseconds
        let rows = try await database.client.query(
            """
            WITH quota AS (
                SELECT s.id, COALESCE(q.n, \(defaultQuota)) AS n
                FROM subscriptions AS s
                LEFT JOIN unnest(\(ids)::uuid[], \(values)::int8[]) AS q (id, n) ON q.id = s.id
                WHERE s.enabled
            ), due AS (
                SELECT d.id, d.next_attempt_at
                FROM quota
                CROSS JOIN LATERAL (
                    SELECT d.id, d.next_attempt_at FROM deliveries AS d
                    WHERE d.subscription_id = quota.id AND d.status IN ('pending', 'retrying')
                      AND d.next_attempt_at <= now()
                    ORDER BY d.next_attempt_at
                    LIMIT GREATEST(quota.n, 0)
                    FOR UPDATE SKIP LOCKED
                ) AS d
                ORDER BY d.next_attempt_at
                LIMIT \(limit)
            )
            UPDATE deliveries AS d
            SET locked_by = \(owner),
                locked_until = now() + \(leaseMs) * interval '1 millisecond',
                next_attempt_at = now() + \(leaseMs) * interval '1 millisecond',
                attempts = d.attempts + 1,
                updated_at = now()
            FROM due, events AS e, subscriptions AS s
            WHERE d.id = due.id AND e.id = d.event_id AND s.id = d.subscription_id
            RETURNING d.id, d.event_id, e.type, e.body, d.attempts, s.id, s.url, s.secret, s.previous_secret,
                      s.previous_secret_expires_at, s.failing_since, s.max_per_second
            """, logger: database.logger)
        var claimed: [ClaimedDelivery] = []
        for try await row in rows {
            let c = row.makeRandomAccess()
            claimed.append(
                ClaimedDelivery(
                    id: try c[0].decode(Int64.self, context: .default),
                    eventID: try c[1].decode(String.self, context: .default),
                    eventType: try c[2].decode(String.self, context: .default),
                    body: try c[3].decode(String.self, context: .default),
                    attempt: try c[4].decode(Int.self, context: .default),
                    subscriptionID: try c[5].decode(UUID.self, context: .default),
                    url: try c[6].decode(String.self, context: .default),
                    secret: try c[7].decode(String.self, context: .default),
                    previousSecret: try c[8].decode(String?.self, context: .default),
                    previousSecretExpiresAt: try c[9].decode(Date?.self, context: .default),
                    failingSince: try c[10].decode(Date?.self, context: .default),
                    maxPerSecond: try c[11].decode(Int?.self, context: .default)))
        }
        return claimed
    }

    /// Writes an attempt and its consequence in one statement: the attempt row, the delivery's new state (only while
    /// `owner` still holds it; returns false otherwise), and the subscription's failure streak (touched only when it
    /// changes, so successes to a healthy subscription never contend on its row).
    @discardableResult
    public func record(_ outcome: DeliveryAttemptOutcome, owner: String) async throws -> Bool {
        let status: DeliveryStatus
        var delayMs: Int64?
        switch outcome.decision {
        case .delivered: status = .delivered
        case .failed: status = .failed
        case .retry(let after):
            status = .retrying
            delayMs = after.milliseconds
        case .gone:
            // Waits for the subscription to be enabled again, which makes it due at once.
            status = .retrying
            delayMs = 0
        }
        let ok = status == .delivered
        let durationMs = Int(min(outcome.duration.milliseconds, Int64(Int32.max)))
        let rows = try await database.client.query(
            """
            WITH attempt AS (
                INSERT INTO delivery_attempts (delivery_id, attempt, started_at, duration_ms, outcome, status_code,
                                               address, response_body, error)
                VALUES (\(outcome.deliveryID), \(outcome.attempt), \(outcome.startedAt), \(durationMs),
                        \(outcome.result.outcome), \(outcome.statusCode), \(outcome.address), \(outcome.responseBody),
                        \(outcome.error))
            ), delivery AS (
                UPDATE deliveries
                SET status = \(status.rawValue),
                    next_attempt_at = CASE WHEN \(delayMs)::int8 IS NULL THEN next_attempt_at
                                           ELSE now() + \(delayMs) * interval '1 millisecond' END,
                    delivered_at = CASE WHEN \(ok) THEN now() ELSE delivered_at END,
                    locked_by = NULL, locked_until = NULL,
                    last_attempt_at = \(outcome.startedAt), last_status_code = \(outcome.statusCode),
                    last_response_body = \(outcome.responseBody), last_error = \(outcome.error), updated_at = now()
                WHERE id = \(outcome.deliveryID) AND locked_by = \(owner)
                RETURNING id
            ), health AS (
                UPDATE subscriptions
                SET failing_since = CASE WHEN \(ok) THEN NULL ELSE \(outcome.startedAt) END
                WHERE id = \(outcome.subscriptionID)
                  AND CASE WHEN \(ok) THEN failing_since IS NOT NULL ELSE failing_since IS NULL END
                RETURNING id
            )
            SELECT count(*) FROM delivery
            """, logger: database.logger)
        var updated = 0
        for try await value in rows.decode(Int.self) { updated = value }
        return updated > 0
    }

    /// Gives a claimed delivery back, due at once, without counting the attempt (used when a send never started).
    public func release(id: Int64, owner: String) async throws {
        try await database.client.query(
            """
            UPDATE deliveries
            SET locked_by = NULL, locked_until = NULL, next_attempt_at = now(), attempts = GREATEST(attempts - 1, 0),
                updated_at = now()
            WHERE id = \(id) AND locked_by = \(owner)
            """, logger: database.logger)
    }

    /// Deliveries still to send (pending or retrying, also those waiting for a disabled subscription).
    public func pendingCount() async throws -> Int {
        let rows = try await database.client.query(
            "SELECT count(*) FROM deliveries WHERE status IN ('pending', 'retrying')", logger: database.logger)
        for try await value in rows.decode(Int.self) { return value }
        return 0
    }

    /// Makes every delivery that waited for a re-enabled subscription due now, with a fresh retry schedule.
    static func requeuePiledUp(subscriptionID: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            UPDATE deliveries
            SET next_attempt_at = now(), attempts = 0, updated_at = now()
            WHERE subscription_id = \(subscriptionID) AND status IN ('pending', 'retrying')
              AND (locked_until IS NULL OR locked_until < now())
            """, logger: logger)
    }
}
