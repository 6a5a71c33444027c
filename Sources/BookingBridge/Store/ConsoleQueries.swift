import Foundation
import Logging
import PostgresNIO

/// The read-only aggregates the operator console shows (its actions go through the admin API).
public struct ConsoleQueries: Sendable {
    public let database: Database

    public init(database: Database) { self.database = database }

    /// What the overview shows for intents created since `since`.
    public struct Overview: Sendable {
        public var countsByStatus: [String: Int] = [:]
        /// Failed and needs-review intents by reason: origin, HubSpot category and sub-category (or the bridge's
        /// message when HubSpot gave none).
        public var failures: [(origin: String, category: String?, subCategory: String?, message: String?, count: Int)] =
            []
        public var queueDepth = 0
        public var oldestDue: Date?
        /// Intents per hour and status, over the last 24 hours.
        public var perHour: [(hour: Date, status: String, count: Int)] = []
        public var hubspot: [(account: String, inWindow: Int, today: Int)] = []
        public var deliveries: [(subscriptionID: UUID, url: String, enabled: Bool, pending: Int, failed: Int)] = []
    }

    public func overview(since: Date) async throws -> Overview {
        var o = Overview()
        for try await (status, count) in try await database.query(
            "SELECT status, count(*)::bigint FROM intents WHERE created_at >= \(since) GROUP BY status",
            logger: database.logger
        ).decode((String, Int64).self) {
            o.countsByStatus[status] = Int(count)
        }
        for try await (origin, category, subCategory, message, count) in try await database.query(
            """
            -- A message is a reason only where HubSpot gave no category (the bridge's own checks).
            SELECT COALESCE(last_error->>'origin', 'unknown'), last_error->>'category', last_error->>'subCategory',
                   CASE WHEN last_error->>'category' IS NULL THEN last_error->>'message' END AS message,
                   count(*)::bigint
            FROM intents
            WHERE created_at >= \(since) AND status IN ('failed', 'needs_review')
            GROUP BY 1, 2, 3, 4 ORDER BY 5 DESC LIMIT 50
            """, logger: database.logger
        ).decode((String, String?, String?, String?, Int64).self) {
            o.failures.append((origin, category, subCategory, message, Int(count)))
        }
        for try await (depth, oldest) in try await database.query(
            "SELECT count(*)::bigint, min(next_attempt_at) FROM intents WHERE status IN ('received', 'retrying')",
            logger: database.logger
        ).decode((Int64, Date?).self) {
            o.queueDepth = Int(depth)
            o.oldestDue = oldest
        }
        for try await (hour, status, count) in try await database.query(
            """
            SELECT date_trunc('hour', created_at), status, count(*)::bigint FROM intents
            WHERE created_at >= date_trunc('hour', now()) - interval '23 hours'
            GROUP BY 1, 2 ORDER BY 1
            """, logger: database.logger
        ).decode((Date, String, Int64).self) {
            o.perHour.append((hour, status, Int(count)))
        }
        for try await (account, inWindow, today) in try await database.query(
            """
            -- Calls counting against the rolling 10 s window now, and calls taken today (UTC).
            SELECT a.account,
                   (SELECT count(*) FROM hubspot_rate_calls c
                    WHERE c.account = a.account AND c.taken_at > clock_timestamp() - interval '10 seconds')::bigint,
                   CASE WHEN a.day = (now() AT TIME ZONE 'UTC')::date THEN a.day_count ELSE 0 END
            FROM hubspot_rate_accounts a ORDER BY a.account
            """, logger: database.logger
        ).decode((String, Int64, Int64).self) {
            o.hubspot.append((account, Int(inWindow), Int(today)))
        }
        for try await (id, url, enabled, pending, failed) in try await database.query(
            """
            SELECT s.id, s.url, s.enabled,
                   count(*) FILTER (WHERE d.status IN ('pending', 'retrying'))::bigint,
                   count(*) FILTER (WHERE d.status = 'failed')::bigint
            FROM subscriptions s LEFT JOIN deliveries d ON d.subscription_id = s.id
            GROUP BY s.id ORDER BY s.created_at
            """, logger: database.logger
        ).decode((UUID, String, Bool, Int64, Int64).self) {
            o.deliveries.append((id, url, enabled, Int(pending), Int(failed)))
        }
        return o
    }

    /// A page of intents for the console's list: newest first, filtered by status, source, creation time and
    /// e-mail (exact, case-insensitive), `offset` rows in.
    public func intents(
        status: String?, source: String?, since: Date?, email: String?, limit: Int, offset: Int
    ) async throws -> [IntentRecord] {
        let rows = try await database.query(
            """
            SELECT \(unescaped: IntentStore.columns) FROM intents
            WHERE (\(status)::text IS NULL OR status = \(status))
              AND (\(source)::text IS NULL OR source = \(source))
              AND (\(since)::timestamptz IS NULL OR created_at >= \(since))
              AND (\(email?.lowercased())::text IS NULL OR email = \(email?.lowercased()))
            ORDER BY created_at DESC, id DESC
            LIMIT \(limit) OFFSET \(offset)
            """, logger: database.logger)
        var records: [IntentRecord] = []
        for try await row in rows { records.append(try IntentStore.decodeRecord(row)) }
        return records
    }
}
