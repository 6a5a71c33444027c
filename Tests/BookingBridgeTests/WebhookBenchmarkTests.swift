import BookingBridge
import BookingBridgeBench
import Foundation
import Testing

/// Webhook throughput and memory (issue 6) in a debug build, with `WEBHOOK_BENCH=1`; skipped otherwise
/// (bench/webhooks.sh runs the same measurement from a release build).
/// The measurement itself is `WebhookBenchmark.run` (so a command can run it in a release build too).
@Suite("Webhook benchmark")
struct WebhookBenchmarkTests {
    static let enabled = ProcessInfo.processInfo.environment["WEBHOOK_BENCH"] != nil
    static var count: Int { Int(ProcessInfo.processInfo.environment["WEBHOOK_BENCH_COUNT"] ?? "") ?? 100_000 }
    static var concurrency: Int { Int(ProcessInfo.processInfo.environment["WEBHOOK_BENCH_CONCURRENCY"] ?? "") ?? 32 }

    @Test(
        "deliveries per second against a plain signed-POST loop, and memory with everything pending",
        .enabled(if: enabled, "set WEBHOOK_BENCH=1 (bench/webhooks.sh) to run the webhook benchmark"))
    func benchmark() async throws {
        let count = Self.count
        let concurrency = Self.concurrency
        try await TestDatabase.withFreshDatabase(maximumConnections: 20) { database in
            let report = try await WebhookBenchmark.run(
                database: database, count: count, concurrency: concurrency, logger: TestWebhooks.logger)
            print(report)
            let out = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("bench/out")
            try? FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            try? report.description.write(
                to: out.appendingPathComponent("webhooks.txt"), atomically: true, encoding: .utf8)
            #expect(try await WebhookBenchmark.delivered(database) == count)
        }
    }
}
