import ArgumentParser
import AsyncHTTPClient
import BookingBridge
import BookingBridgeBench
import EphemeralPostgres
import Foundation
import Logging
import PostgresNIO

/// `bookingbridge bench …`: measurements that need the optimized binary (bench/run calls them).
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks that run in this binary (bench/run runs every benchmark and prints one table).",
        subcommands: [BenchWebhooks.self, BenchIntake.self])
}

struct BenchWebhooks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks",
        abstract: "Deliveries/s to a local 204 receiver next to a plain loop of signed POSTs, and memory meanwhile.",
        discussion: """
            Starts a receiver on loopback that answers 204 and a throwaway PostgreSQL with fsync and \
            synchronous_commit on (unless DATABASE_URL names an empty database to use). A plain loop of signed POSTs \
            with the dispatcher's HTTP client and concurrency and no database (the baseline), half of it before and \
            half after COUNT deliveries that are all pending at once are sent by the dispatcher (claim, sign, send, \
            record), while the resident memory of this process is sampled. Prints the report, with this process's \
            CPU time per request for each and PostgreSQL's per delivery (when its processes run on this machine); \
            --out also writes it to a file.
            """)

    @Option(help: "Deliveries pending at the start.") var count = 100_000
    @Option(help: "Requests in flight (dispatcher workers, and the plain loop's concurrency).") var concurrency = 32
    @Option(help: "Also write the report to this file.") var out: String?

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count must be positive") }
        guard (1...1024).contains(concurrency) else { throw ValidationError("--concurrency must be 1…1024") }
    }

    func run() async throws {
        var logger = Logger(label: "bookingbridge.bench")
        logger.logLevel = .warning
        if benchDatabaseURL() == nil { progress("starting a throwaway PostgreSQL (fsync and synchronous_commit on)…") }
        let (url, cluster) = try benchDatabase(durable: true, logger: logger)
        defer { cluster?.stop() }
        let database = try Database(url: url, maximumConnections: 20, logger: logger)
        let report = try await withThrowingTaskGroup(of: Void.self) { group -> WebhookBenchmark.Report in
            group.addTask { await database.client.run() }
            await database.runStarted()
            defer { group.cancelAll() }
            try await Migrations().apply(on: database)
            progress(
                "sending \(count) deliveries with \(concurrency) in flight (half the baseline before them, half after)…"
            )
            return try await WebhookBenchmark.run(
                database: database, count: count, concurrency: concurrency, logger: logger)
        }
        print(report)
        if let out {
            try report.description.write(toFile: out, atomically: true, encoding: .utf8)
        }
    }

    private func progress(_ text: String) {
        FileHandle.standardError.write(Data("bookingbridge bench: \(text)\n".utf8))
    }
}

struct BenchIntake: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "intake",
        abstract: "Intake posts through the bridge's router in process, for counting instructions per request.",
        discussion: """
            Builds the bridge's router with bench/intake.sh's configuration (--config) against a throwaway PostgreSQL (unless \
            DATABASE_URL names an empty database to use), sends warm-up requests, then COUNT empty GET /healthz (the \
            floor) and COUNT distinct form posts (each answered 202) through it, without a socket. Run it under \
            `valgrind --tool=callgrind --zero-before='*BenchMeasureStart*' \
            --dump-before='*BenchMeasureStop*'` to get one profile per phase (bench/callgrind-sigsuspend.c must be preloaded; bench/intake-callgrind.sh does it all).
            """)

    @Option(help: "The bridge's configuration (the one bench/intake.sh serves with).")
    var config = "bench/intake-bridge.json"
    @Option(help: "Requests in each measured phase.") var count = 1000
    @Option(help: "Posts and GETs before measuring (caches, prepared statements, connections).") var warmUp = 200
    @Option(help: "Requests in flight (1 gives repeatable instruction counts).") var concurrency = 1

    func validate() throws {
        guard count > 0, warmUp >= 0 else { throw ValidationError("--count must be positive, --warm-up not negative") }
        guard (1...256).contains(concurrency) else { throw ValidationError("--concurrency must be 1…256") }
    }

    func run() async throws {
        guard let file = FileManager.default.contents(atPath: config) else {
            throw ValidationError("cannot read --config \(config) (run from the repository's root, or name the file)")
        }
        let (url, cluster) = try benchDatabase(durable: false, logger: Logger(label: "bookingbridge.bench"))
        defer { cluster?.stop() }
        let configuration = try BridgeConfiguration.load(
            environment: [
                "DATABASE_URL": url, "LOG_LEVEL": "warning", "HUBSPOT_ACCESS_TOKEN": "bench",
                "HUBSPOT_BASE_URL": "http://127.0.0.1:9",
            ], file: file)
        let logger = bootstrapLogging(configuration)
        let database = try Database(url: url, maximumConnections: configuration.databasePoolSize, logger: logger)
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton)
        let report = try await withThrowingTaskGroup(of: Void.self) { group -> IntakeBenchmark.Report in
            group.addTask { await database.client.run() }
            await database.runStarted()
            defer { group.cancelAll() }
            try await Migrations().apply(on: database)
            let bridge = BridgeApplication(
                configuration: configuration, database: database, httpClient: httpClient, logger: logger)
            let router = bridge.buildRouter(
                readiness: Readiness(), registry: MetricsSetup.bootstrap(), hubspot: bridge.makeHubSpotClient(),
                wake: {})
            return try await IntakeBenchmark.run(
                application: bridge, router: router, requests: count, warmUp: warmUp, concurrency: concurrency,
                logger: logger)
        }
        try await httpClient.shutdown()
        print(report)
    }
}

/// `DATABASE_URL` when it is set and not empty.
private func benchDatabaseURL() -> String? {
    ProcessInfo.processInfo.environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
}

/// The database a benchmark runs against: `DATABASE_URL`, else a throwaway cluster the caller stops.
private func benchDatabase(durable: Bool, logger: Logger) throws -> (url: String, cluster: EphemeralPostgres?) {
    if let url = benchDatabaseURL() { return (url, nil) }
    let cluster = try startThrowawayPostgres(durable: durable, logger: logger)
    return (cluster.url, cluster)
}
