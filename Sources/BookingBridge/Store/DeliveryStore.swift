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
    /// `deliveries_due`: per enabled subscription the rows in flight (under a live lease, passed over) and then the
    /// few it takes, so a claim costs the same with 10 or 100,000 due rows and never reads a disabled subscription's
    /// backlog. The lease is `locked_until`: rows under a live lease are
    /// skipped, and a delivery whose dispatcher died becomes due again by itself when its lease ends. Claiming counts
    /// the attempt.
    ///
    /// A claim changes no indexed column (`next_attempt_at` stays as it was), so with the table's free space per
    /// page (`fillfactor`, migrations 005 and 007) PostgreSQL updates the row in place (a HOT update) instead of adding an
    /// entry to each of the table's six indexes. The statement is written so that its generic plan is as good as
    /// a custom one (ids through `= ANY`, nested loops into `events`), so it is planned once per connection. For
    /// that the candidates are cut at a constant (`maximumClaim`) and only then at `limit`: PostgreSQL prices an
    /// unknown `LIMIT $n` as a tenth of the table, and kept planning every claim anew (0.6 ms each) because the
    /// generic plan looked dearer. `limit` above `maximumClaim` claims `maximumClaim`.
    public func claim(
        owner: String, limit: Int, quotas: [UUID: Int], defaultQuota: Int, lease: Duration
    ) async throws -> [ClaimedDelivery] {
        guard limit > 0 else { return [] }
        let ids = Array(quotas.keys)
        var claimed = try await database.rows(
            ClaimStatement(
                defaultQuota: defaultQuota, ids: ids, quotas: ids.map { quotas[$0]! },
                limit: min(limit, Self.maximumClaim), owner: owner,
                leaseMs: lease.milliseconds))
        // The subscription's secrets as stored (sealed once a key is set); opened here, where the keys are known.
        let secrets = database.secrets
        for index in claimed.indices {
            let context = SubscriptionStore.context(id: claimed[index].subscriptionID)
            claimed[index].secret = try secrets.open(claimed[index].secret, context: context)
            claimed[index].previousSecret = try claimed[index].previousSecret.map {
                try secrets.open($0, context: context)
            }
        }
        return claimed
    }

    /// The most deliveries one claim returns.
    public static let maximumClaim = 128

    /// `claim`'s statement (prepared per connection, see `Database.rows`).
    struct ClaimStatement: PostgresPreparedStatement {
        static var name: String { PreparedStatementNames.name("bookingbridge_claim_deliveries") }
        static let sql = """
            WITH async_commit AS (
                \(asyncCommit)
            ), quota AS (
                SELECT s.id, LEAST(GREATEST(COALESCE(q.n, $1::int8), 0), $4::int8) AS n
                FROM async_commit, subscriptions AS s
                LEFT JOIN unnest($2::uuid[], $3::int8[]) AS q (id, n) ON q.id = s.id
                WHERE s.enabled
            ), due AS (
                SELECT d.id, d.next_attempt_at
                FROM quota
                CROSS JOIN LATERAL (
                    SELECT d.id, d.next_attempt_at FROM deliveries AS d
                    WHERE d.subscription_id = quota.id AND d.status IN ('pending', 'retrying')
                      AND d.next_attempt_at <= now() AND (d.locked_until IS NULL OR d.locked_until <= now())
                    ORDER BY d.next_attempt_at
                    LIMIT quota.n
                    FOR UPDATE SKIP LOCKED
                ) AS d
                ORDER BY d.next_attempt_at
                LIMIT \(maximumClaim)
            ), claimed AS (
                UPDATE deliveries AS d
                SET locked_by = $5::text,
                    locked_until = now() + $6::int8 * interval '1 millisecond',
                    attempts = d.attempts + 1,
                    updated_at = now()
                WHERE d.id = ANY (ARRAY(SELECT id FROM due ORDER BY next_attempt_at LIMIT $4::int8))
                RETURNING d.id, d.event_id, d.attempts, d.subscription_id
            )
            SELECT c.id, c.event_id, e.type, e.body, c.attempts, s.id, s.url, s.secret, s.previous_secret,
                   s.previous_secret_expires_at, s.failing_since, s.max_per_second,
                   NULLIF(s.format, 'standard'), s.template, s.content_type
            FROM claimed AS c
            JOIN events AS e ON e.id = c.event_id
            JOIN subscriptions AS s ON s.id = c.subscription_id
            """
        static let bindingDataTypes: [PostgresDataType] = [.int8, .uuidArray, .int8Array, .int8, .text, .int8]

        var defaultQuota: Int
        var ids: [UUID]
        var quotas: [Int]
        var limit: Int
        var owner: String
        var leaseMs: Int64

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 6)
            bindings.append(defaultQuota)
            bindings.append(ids)
            bindings.append(quotas)
            bindings.append(limit)
            bindings.append(owner)
            bindings.append(leaseMs)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> ClaimedDelivery {
            let c = row.makeRandomAccess()
            return ClaimedDelivery(
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
                maxPerSecond: try c[11].decode(Int?.self, context: .default),
                format: try c[12].decode(String?.self, context: .default).flatMap(WebhookFormat.init(rawValue:))
                    ?? .standard,
                template: try c[13].decode(String?.self, context: .default),
                contentType: try c[14].decode(String?.self, context: .default))
        }
    }

    /// A CTE body that makes the statement's own transaction commit without waiting for its WAL flush
    /// (`synchronous_commit` off until the transaction ends, so also safe behind a transaction-mode pooler).
    ///
    /// Only for claims and attempt records: delivery is at least once, so losing such a commit in a database
    /// crash (the last fraction of a second of them) only means a delivery is sent again, with the same
    /// `webhook-id`, or an attempt is made once more. It takes a disk flush off every claim and every record, which
    /// is most of the time a delivery slot spends waiting. Intake and bookings stay fully durable.
    static let asyncCommit = "SELECT set_config('synchronous_commit', 'off', true)"

    /// Writes an attempt and its consequence (see `record(_:owner:)` for several).
    @discardableResult
    public func record(_ outcome: DeliveryAttemptOutcome, owner: String) async throws -> Bool {
        try await record([outcome], owner: owner).contains(outcome.deliveryID)
    }

    /// Writes attempts and their consequences in one statement: the attempt rows (of deliveries that still exist:
    /// one deleted mid-request, with its subscription or by an erasure, records nothing), each delivery's new state
    /// (only where `owner` still holds it; the ids of those are returned), and each subscription's failure streak,
    /// set or cleared by its latest outcome and touched only when it changes, so successes to a healthy subscription
    /// never contend on its row.
    public func record(_ outcomes: [DeliveryAttemptOutcome], owner: String) async throws -> Set<Int64> {
        guard !outcomes.isEmpty else { return [] }
        return Set(try await database.rows(RecordStatement(columns: RecordColumns(outcomes), owner: owner)))
    }

    /// `record`'s statement (prepared per connection, see `Database.rows`). The outcomes come as one array per
    /// column, read back into rows by `unnest`: binary arrays, which neither side has to format or parse as text.
    struct RecordStatement: PostgresPreparedStatement {
        static var name: String { PreparedStatementNames.name("bookingbridge_record_delivery_attempts") }
        static let sql = """
            WITH async_commit AS (
                \(asyncCommit)
            ), input AS (
                SELECT i.* FROM async_commit, unnest(
                    $1::int8[], $2::uuid[], $3::int8[], $4::timestamptz[], $5::int8[], $6::text[], $7::int8[],
                    $8::text[], $9::text[], $10::text[], $11::text[], $12::int8[]
                ) AS i (delivery_id, subscription_id, attempt, started_at, duration_ms, outcome, status_code, address,
                        response_body, error, status, delay_ms)
            ), delivery AS (
                UPDATE deliveries AS d
                SET status = i.status,
                    next_attempt_at = CASE WHEN i.delay_ms IS NULL THEN d.next_attempt_at
                                           ELSE now() + i.delay_ms * interval '1 millisecond' END,
                    delivered_at = CASE WHEN i.status = 'delivered' THEN now() ELSE d.delivered_at END,
                    locked_by = NULL, locked_until = NULL,
                    last_attempt_at = i.started_at, last_status_code = i.status_code,
                    last_response_body = i.response_body, last_error = i.error, updated_at = now()
                FROM input AS i
                WHERE d.id = i.delivery_id AND d.locked_by = $13::text
                RETURNING d.id
            ), others AS (
                -- Deliveries this statement did not update (another dispatcher holds them now): locked as the foreign
                -- key's check did, so a concurrent delete (an erasure, a deleted subscription) is waited for and then
                -- seen, and a claim committed meanwhile does not hide the row.
                SELECT d.id FROM input AS i JOIN deliveries AS d ON d.id = i.delivery_id
                WHERE i.delivery_id NOT IN (SELECT id FROM delivery)
                FOR KEY SHARE OF d
            ), attempt AS (
                -- Only for a delivery that still exists (no foreign key checks it, migration 006): one this statement
                -- updated (its row lock orders it against a delete) or one locked just above.
                INSERT INTO delivery_attempts (delivery_id, attempt, started_at, duration_ms, outcome, status_code,
                                               address, response_body, error)
                SELECT delivery_id, attempt, started_at, duration_ms, outcome, status_code, address, response_body, error
                FROM input
                WHERE delivery_id IN (SELECT id FROM delivery) OR delivery_id IN (SELECT id FROM others)
            ), latest AS (
                -- The newest outcome per subscription decides its streak.
                SELECT DISTINCT ON (subscription_id) subscription_id, status = 'delivered' AS ok
                FROM input ORDER BY subscription_id, started_at DESC
            ), first_failure AS (
                SELECT subscription_id, min(started_at) AS at FROM input
                WHERE status <> 'delivered' GROUP BY subscription_id
            ), healed AS (
                UPDATE subscriptions AS s SET failing_since = NULL
                FROM latest
                WHERE s.id = latest.subscription_id AND latest.ok AND s.failing_since IS NOT NULL
            ), hurt AS (
                UPDATE subscriptions AS s SET failing_since = f.at
                FROM latest JOIN first_failure AS f USING (subscription_id)
                WHERE s.id = latest.subscription_id AND NOT latest.ok AND s.failing_since IS NULL
            )
            SELECT id FROM delivery
            """
        static let bindingDataTypes: [PostgresDataType] = [
            .int8Array, .uuidArray, .int8Array, .timestamptzArray, .int8Array, .textArray, .int8Array, .textArray,
            .textArray, .textArray, .textArray, .int8Array, .text,
        ]

        var columns: RecordColumns
        var owner: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 13)
            bindings.append(columns.deliveryIDs)
            bindings.append(columns.subscriptionIDs)
            bindings.append(columns.attempts)
            bindings.append(columns.startedAt)
            bindings.append(columns.durationMs)
            bindings.append(columns.outcomes)
            bindings.append(PostgresNullableArray(columns.statusCodes))
            bindings.append(PostgresNullableArray(columns.addresses))
            bindings.append(PostgresNullableArray(columns.responseBodies))
            bindings.append(PostgresNullableArray(columns.errors))
            bindings.append(columns.statuses)
            bindings.append(PostgresNullableArray(columns.delaysMs))
            bindings.append(owner)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
    }

    /// Outcomes as the record statement's columns: one array per column, in the outcomes' order (NUL removed from
    /// texts: PostgreSQL's text refuses it).
    struct RecordColumns: Sendable {
        var deliveryIDs: [Int64]
        var subscriptionIDs: [UUID]
        var attempts: [Int64]
        var startedAt: [Date]
        var durationMs: [Int64]
        var outcomes: [String]
        var statusCodes: [Int64?]
        var addresses: [String?]
        var responseBodies: [String?]
        var errors: [String?]
        var statuses: [String]
        var delaysMs: [Int64?]

        init(_ outcomes: [DeliveryAttemptOutcome]) {
            // (Foundation's replacingOccurrences is slow even when there is nothing to replace.)
            func clean(_ text: String?) -> String? {
                guard let text, text.utf8.contains(0) else { return text }
                return text.replacingOccurrences(of: "\u{0}", with: "")
            }
            deliveryIDs = outcomes.map(\.deliveryID)
            subscriptionIDs = outcomes.map(\.subscriptionID)
            attempts = outcomes.map { Int64($0.attempt) }
            startedAt = outcomes.map(\.startedAt)
            durationMs = outcomes.map { min($0.duration.milliseconds, Int64(Int32.max)) }
            self.outcomes = outcomes.map(\.result.outcome)
            statusCodes = outcomes.map { Self.statusCode($0.result) }
            addresses = outcomes.map { clean($0.address) }
            responseBodies = outcomes.map { clean($0.responseBody) }
            errors = outcomes.map { clean($0.error) }
            statuses = outcomes.map { Self.status($0.decision).rawValue }
            delaysMs = outcomes.map { Self.delayMs($0.decision) }
        }

        /// The answer's status code. Not inlined: inlined here, reading `DeliveryAttemptOutcome.statusCode` crashed
        /// the release build's optimizer (Swift 6.3.1, CopyPropagation: "Found ownership error").
        @inline(never)
        static func statusCode(_ result: WebhookAttemptResult) -> Int64? {
            if case .response(let status, _) = result { return Int64(status) }
            return nil
        }

        /// The delivery's status after an attempt with this decision.
        static func status(_ decision: WebhookRetryPolicy.Decision) -> DeliveryStatus {
            switch decision {
            case .delivered: .delivered
            case .failed: .failed
            // Gone: waits for the subscription to be enabled again, which makes it due at once.
            case .retry, .gone: .retrying
            }
        }

        /// How long until the delivery is due again, when it will be.
        static func delayMs(_ decision: WebhookRetryPolicy.Decision) -> Int64? {
            switch decision {
            case .delivered, .failed: nil
            case .retry(let after): after.milliseconds
            case .gone: 0
            }
        }
    }

    /// Gives claimed deliveries back, due at once, without counting their attempt (used when their sends never
    /// started: deliveries claimed ahead at a graceful shutdown, or that waited too long for a worker).
    public func release(ids: [Int64], owner: String) async throws {
        guard !ids.isEmpty else { return }
        try await database.query(
            """
            UPDATE deliveries
            SET locked_by = NULL, locked_until = NULL, next_attempt_at = now(), attempts = GREATEST(attempts - 1, 0),
                updated_at = now()
            WHERE id = ANY(\(ids)) AND locked_by = \(owner)
            """, logger: database.logger)
    }

    /// Deliveries still to send (pending or retrying, also those waiting for a disabled subscription).
    public func pendingCount() async throws -> Int {
        let rows = try await database.query(
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
