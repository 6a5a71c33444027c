import Foundation
import Logging
import PostgresNIO

/// SQL of the gauges `/metrics` shows: queue depths and ages, and the database's client connections.
enum QueueGauges {
    /// Due intents (not held under a live lease) and the age in seconds of the oldest.
    static func dueIntents(database: Database, logger: Logger) async throws -> (count: Int, oldestSeconds: Double) {
        let rows = try await database.query(
            """
            SELECT count(*), COALESCE(EXTRACT(EPOCH FROM now() - min(next_attempt_at)), 0)::float8
            FROM intents WHERE status IN ('received', 'retrying') AND next_attempt_at <= now()
            """, logger: logger)
        for try await (count, age) in rows.decode((Int, Double).self) { return (count, age) }
        return (0, 0)
    }

    /// Open intents by status (index range scans of intents_status_created; these sets stay small).
    static func openIntents(database: Database) async throws -> [String: Int] {
        let rows = try await database.query(
            """
            SELECT status, count(*)::bigint FROM intents
            WHERE status IN ('received', 'retrying', 'needs_review')
            GROUP BY status
            """, logger: database.logger)
        var byStatus: [String: Int] = [:]
        for try await (status, count) in rows.decode((String, Int64).self) { byStatus[status] = Int(count) }
        return byStatus
    }

    /// Due deliveries of enabled subscriptions (the partial index deliveries_due holds only undelivered rows), not
    /// counting those a dispatcher holds under a live lease, and the age in seconds of the oldest.
    static func dueDeliveries(database: Database) async throws -> (count: Int64, oldestSeconds: Double) {
        let rows = try await database.query(
            """
            SELECT count(*)::bigint, COALESCE(EXTRACT(EPOCH FROM now() - min(d.next_attempt_at)), 0)::float8
            FROM deliveries AS d
            JOIN subscriptions AS s ON s.id = d.subscription_id
            WHERE d.status IN ('pending', 'retrying') AND d.next_attempt_at <= now() AND s.enabled
              AND (d.locked_until IS NULL OR d.locked_until <= now())
            """, logger: database.logger)
        for try await (count, age) in rows.decode((Int64, Double).self) { return (count, age) }
        return (0, 0)
    }

    /// Client connections to this database by state (`unknown` when this role may not see another role's state),
    /// and the server's `max_connections`.
    static func connections(database: Database) async throws -> (byState: [String: Int64], serverMax: Int) {
        let rows = try await database.query(
            """
            SELECT coalesce(state, 'unknown'), count(*)::bigint,
                   (SELECT setting::bigint FROM pg_settings WHERE name = 'max_connections')
            FROM pg_stat_activity
            WHERE datname = current_database() AND backend_type = 'client backend'
            GROUP BY 1
            """, logger: database.logger)
        var byState: [String: Int64] = [:]
        var serverMax = 0
        for try await (state, count, max) in rows.decode((String, Int64, Int64).self) {
            byState[state, default: 0] += count
            serverMax = Int(max)
        }
        return (byState, serverMax)
    }
}
