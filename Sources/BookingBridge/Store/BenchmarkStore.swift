import Foundation
import Logging
import PostgresNIO

/// SQL of the webhook fan-out benchmark (`BookingBridgeBench`): its pending deliveries, its progress, and the
/// server processes whose CPU it reads. Never used by the bridge itself.
public enum BenchmarkStore {
    /// `count` events (`evt_bench_1` ...) with `body`, each with one pending delivery to `subscriptionID`; then
    /// fresh planner statistics, as a long-running bridge would have.
    public static func seedPendingDeliveries(
        count: Int, body: String, subscriptionID: UUID, database: Database
    ) async throws {
        try await database.client.query(
            """
            INSERT INTO events (id, type, body)
            SELECT 'evt_bench_' || g, 'booking.confirmed', \(body) FROM generate_series(1, \(count)) AS g
            """, logger: database.logger)
        try await database.client.query(
            """
            INSERT INTO deliveries (event_id, subscription_id)
            SELECT 'evt_bench_' || g, \(subscriptionID) FROM generate_series(1, \(count)) AS g
            """, logger: database.logger)
        try await database.client.query("ANALYZE events, deliveries, subscriptions", logger: database.logger)
    }

    /// After a run: the dead rows vacuumed and, when the role may, a checkpoint, so that what is measured next
    /// does not pay for the run before it.
    public static func settleAfterRun(database: Database) async throws {
        try await database.client.query("VACUUM deliveries, delivery_attempts", logger: database.logger)
        _ = try? await database.client.query("CHECKPOINT", logger: database.logger)  // needs a superuser
    }

    /// Deliveries with status delivered.
    public static func delivered(database: Database) async throws -> Int {
        for try await n in try await database.client.query(
            "SELECT count(*) FROM deliveries WHERE status = 'delivered'", logger: database.logger
        ).decode(Int.self) {
            return n
        }
        return 0
    }

    /// Process ids of the server's processes (backends and background processes) as `pg_stat_activity` lists them.
    public static func serverProcessIDs(database: Database) async throws -> [Int32] {
        var pids: [Int32] = []
        let rows = try await database.client.query(
            "SELECT pid FROM pg_stat_activity WHERE pid IS NOT NULL", logger: database.logger)
        for try await pid in rows.decode(Int32.self) { pids.append(pid) }
        return pids
    }
}
