import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle

/// Samples the database's side of the pool every `interval` for `/metrics`.
///
/// PostgresNIO 1.33 keeps its pool's observability delegate internal, so a process cannot read how many of its own
/// connections are leased or how many requests wait for one. What this reports instead:
/// - `bookingbridge_db_pool_max_connections`: this process's configured pool size;
/// - `bookingbridge_db_probe_seconds`: time to get a pooled connection and run one query, which grows when the
///   pool is exhausted or the server is slow;
/// - `bookingbridge_db_up`: 1 when the last probe succeeded, else 0;
/// - `bookingbridge_db_connections{state}`: client connections to this database on the server (all processes),
///   by `pg_stat_activity.state`;
/// - `bookingbridge_db_server_max_connections`: the server's `max_connections`.
///
/// And, from the queue tables (the same value in every replica: aggregate with `max`, not `sum`):
/// - `bookingbridge_intents{status}`: intents now `received`, `retrying` or `needs_review` (the statuses that
///   describe work still open; finished ones are counted by `bookingbridge_intents_finished_total`);
/// - `bookingbridge_deliveries_due`, `bookingbridge_deliveries_oldest_due_seconds`: deliveries of enabled
///   subscriptions whose attempt is due, and how long the oldest has waited (a disabled subscription's deliveries
///   wait on purpose and are left out).
public struct MetricsDatabaseProbe: Service {
    /// `pg_stat_activity` states, each always reported (0 when absent) so a state that ends does not linger.
    static let states = [
        "active", "idle", "idle in transaction", "idle in transaction (aborted)", "fastpath function call", "disabled",
        "unknown",
    ]

    /// Intent statuses reported by `bookingbridge_intents`; all cheap to count through `intents_status_created`.
    static let openStatuses = ["received", "retrying", "needs_review"]

    let database: Database
    let poolSize: Int
    let interval: Duration

    /// - Parameters:
    ///   - poolSize: this process's `maximumConnections` (`BridgeConfiguration.databasePoolSize`).
    ///   - interval: time between samples; about the scrape interval.
    public init(database: Database, poolSize: Int, interval: Duration = .seconds(15)) {
        // A sample that takes longer than this counts as the database being down.
        self.database = database.withCallTimeout(.seconds(5))
        self.poolSize = poolSize
        self.interval = interval
    }

    public func run() async throws {
        Gauge(label: "bookingbridge_db_pool_max_connections").record(poolSize)
        // Ends at graceful shutdown: the sleep is cancelled then, and cancellation is the normal way out.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await sample()
                try await Task.sleep(for: interval)
            }
        }
    }

    /// Takes one sample and records it.
    public func sample() async {
        let started = ContinuousClock.now
        do {
            let (byState, serverMax) = try await query()
            let elapsed = ContinuousClock.now - started
            Timer(label: "bookingbridge_db_probe_seconds")
                .recordNanoseconds(
                    elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
            Gauge(label: "bookingbridge_db_up").record(1)
            for state in Self.states {
                Gauge(label: "bookingbridge_db_connections", dimensions: [("state", state)]).record(byState[state] ?? 0)
            }
            Gauge(label: "bookingbridge_db_server_max_connections").record(serverMax)
            try await sampleQueues()
        } catch {
            Gauge(label: "bookingbridge_db_up").record(0)
            database.logger.debug("database metrics probe failed", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    private func sampleQueues() async throws {
        let byStatus = try await QueueGauges.openIntents(database: database)
        for status in Self.openStatuses {
            Gauge(label: "bookingbridge_intents", dimensions: [("status", status)]).record(byStatus[status] ?? 0)
        }
        let deliveries = try await QueueGauges.dueDeliveries(database: database)
        Gauge(label: "bookingbridge_deliveries_due").record(deliveries.count)
        Gauge(label: "bookingbridge_deliveries_oldest_due_seconds").record(deliveries.oldestSeconds)
    }

    private func query() async throws -> ([String: Int], Int) {
        let (rows, serverMax) = try await QueueGauges.connections(database: database)
        var byState: [String: Int] = [:]
        for (state, count) in rows {
            let key = Self.states.contains(state) ? state : "unknown"
            byState[key, default: 0] += Int(count)
        }
        return (byState, serverMax)
    }
}
