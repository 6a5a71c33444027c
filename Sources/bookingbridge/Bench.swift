import ArgumentParser
import BookingBridge
import EphemeralPostgres
import Foundation
import Logging
import PostgresNIO

/// `bookingbridge bench …`: measurements that need the optimized binary (bench/run calls them).
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks that run in this binary (bench/run runs every benchmark and prints one table).",
        subcommands: [BenchWebhooks.self])
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
        var cluster: EphemeralPostgres?
        var url = ProcessInfo.processInfo.environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        if url == nil {
            progress("starting a throwaway PostgreSQL (fsync and synchronous_commit on)…")
            let started = try startThrowawayPostgres(durable: true, logger: logger)
            cluster = started
            url = started.url
        }
        defer { cluster?.stop() }
        let database = try Database(url: url!, maximumConnections: 20, logger: logger)
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
