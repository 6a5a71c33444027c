import AsyncHTTPClient
import BookingBridge
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import PostgresNIO
import Testing

/// Webhook throughput and memory (issue 6), run by bench/webhooks.sh (`WEBHOOK_BENCH=1`); skipped otherwise.
///
/// Against one fast receiver on loopback that answers 204, in the same process: first a plain loop of signed POSTs
/// with the dispatcher's HTTP client and concurrency and no database, then the dispatcher sending
/// `WEBHOOK_BENCH_COUNT` (default 100,000) deliveries that were all pending at the start, while the process's
/// resident memory is sampled.
@Suite("Webhook benchmark")
struct WebhookBenchmarkTests {
    static let enabled = ProcessInfo.processInfo.environment["WEBHOOK_BENCH"] != nil
    static var count: Int { Int(ProcessInfo.processInfo.environment["WEBHOOK_BENCH_COUNT"] ?? "") ?? 100_000 }
    static var concurrency: Int { Int(ProcessInfo.processInfo.environment["WEBHOOK_BENCH_CONCURRENCY"] ?? "") ?? 32 }

    @Test("deliveries per second against a plain signed-POST loop, and memory with everything pending",
          .enabled(if: enabled, "set WEBHOOK_BENCH=1 (bench/webhooks.sh) to run the webhook benchmark"))
    func benchmark() async throws {
        let count = Self.count
        let concurrency = Self.concurrency
        var settings = WebhookSettings()
        settings.allowDestinations = ["127.0.0.0/8"]
        settings.workers = concurrency
        settings.maxConcurrentPerSubscription = concurrency
        settings.pollInterval = .milliseconds(200)
        let http = WebhookHTTPClient.make(settings: settings)
        let fixed = settings
        try await TestDatabase.withFreshDatabase(maximumConnections: 20) { database in
            try await Self.withFastReceiver { port in
                let url = "http://127.0.0.1:\(port)/hook"
                let secret = StandardWebhooks.Secret.generate()
                let body = try WebhookEventBody.make(
                    type: "booking.confirmed", timestamp: Date(),
                    data: ["intentId": UUID().uuidString, "email": "bench@example.com", "status": "booked"])

                // Warm-up, then the plain loop.
                _ = try await Self.plainLoop(http: http, url: url, body: body, secret: secret, count: 500, concurrency: concurrency)
                let plainCount = min(count, 50_000)
                let plainSeconds = try await Self.plainLoop(
                    http: http, url: url, body: body, secret: secret, count: plainCount, concurrency: concurrency)
                let plainRate = Double(plainCount) / plainSeconds

                // Everything pending at once.
                let subscription = try await SubscriptionStore(database: database).create(
                    NewSubscription(url: url, eventTypes: ["*"], secret: secret.text))
                try await database.client.query(
                    """
                    INSERT INTO events (id, type, body)
                    SELECT 'evt_bench_' || g, 'booking.confirmed', \(body) FROM generate_series(1, \(count)) AS g
                    """, logger: database.logger)
                try await database.client.query(
                    """
                    INSERT INTO deliveries (event_id, subscription_id)
                    SELECT 'evt_bench_' || g, \(subscription.id) FROM generate_series(1, \(count)) AS g
                    """, logger: database.logger)
                try await database.client.query("ANALYZE deliveries", logger: database.logger)
                let rssBefore = Self.residentKiB()
                var samples: [(delivered: Int, rss: Int)] = []
                let dispatcher = WebhookDispatcher(
                    database: database, settings: fixed, httpClient: http, logger: WebhookHarness.logger)
                let started = ContinuousClock.now
                let elapsed = try await withThrowingTaskGroup(of: Void.self) { group -> Duration in
                    group.addTask { try await dispatcher.run() }
                    defer { group.cancelAll() }
                    while true {
                        try await Task.sleep(for: .milliseconds(500))
                        let delivered = try await Self.delivered(database)
                        samples.append((delivered, Self.residentKiB()))
                        if delivered >= count { return ContinuousClock.now - started }
                    }
                }
                let rate = Double(count) / elapsed.seconds
                let rss = samples.map(\.rss)
                let report = """
                    webhook benchmark: \(count) deliveries, concurrency \(concurrency), receiver answers 204 on loopback
                    plain signed-POST loop (no database): \(plainCount) in \(String(format: "%.2f", plainSeconds)) s = \(Int(plainRate)) req/s
                    dispatcher (claim, sign, send, record): \(count) in \(String(format: "%.2f", elapsed.seconds)) s = \(Int(rate)) deliveries/s
                    ratio dispatcher/plain: \(String(format: "%.2f", rate / plainRate))
                    resident memory by progress: \(stride(from: 0, to: samples.count, by: max(1, samples.count / 10)).map { "\(samples[$0].delivered):\(samples[$0].rss / 1024)MiB" }.joined(separator: " "))
                    resident memory: before \(rssBefore / 1024) MiB, while sending min \(rss.min()! / 1024) MiB, max \(rss.max()! / 1024) MiB, last \(rss.last! / 1024) MiB (\(samples.count) samples)
                    """
                print(report)
                let out = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                    .deletingLastPathComponent().appendingPathComponent("bench/out")
                try? FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
                try? report.write(to: out.appendingPathComponent("webhooks.txt"), atomically: true, encoding: .utf8)
                #expect(try await Self.delivered(database) == count)
            }
        }
        try await http.shutdown()
    }

    /// `count` signed POSTs with `concurrency` in flight; returns the seconds taken.
    static func plainLoop(
        http: HTTPClient, url: String, body: String, secret: StandardWebhooks.Secret, count: Int, concurrency: Int
    ) async throws -> Double {
        let next = LockedValue(0)
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    while true {
                        let n = next.withLock { value -> Int in
                            value += 1
                            return value
                        }
                        guard n <= count else { return }
                        let bytes = ByteBuffer(string: body)
                        let timestamp = Int64(Date().timeIntervalSince1970)
                        var request = HTTPClientRequest(url: url)
                        request.method = .POST
                        request.headers.add(name: "Content-Type", value: "application/json")
                        request.headers.add(name: "webhook-id", value: "evt_plain_\(n)")
                        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
                        request.headers.add(
                            name: "webhook-signature",
                            value: StandardWebhooks.signatureHeader(
                                id: "evt_plain_\(n)", timestamp: timestamp, body: bytes.readableBytesView, secrets: [secret]))
                        request.body = .bytes(bytes)
                        let response = try await http.execute(request, timeout: .seconds(15))
                        for try await _ in response.body {}
                        guard response.status.code == 204 else { throw StatusError(code: Int(response.status.code)) }
                    }
                }
            }
            try await group.waitForAll()
        }
        return (ContinuousClock.now - started).seconds
    }

    struct StatusError: Error { var code: Int }

    static func delivered(_ database: Database) async throws -> Int {
        for try await (n,) in try await database.client.query(
            "SELECT count(*) FROM deliveries WHERE status = 'delivered'", logger: database.logger
        ).decode((Int,).self) {
            return n
        }
        return 0
    }

    /// VmRSS of this process in KiB (Linux), 0 elsewhere.
    static func residentKiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
        }
        return 0
    }

    /// A receiver that reads the body and answers 204, on a free loopback port.
    static func withFastReceiver(_ body: @Sendable (Int) async throws -> Void) async throws {
        let router = Router()
        router.post("hook") { request, _ -> Response in
            _ = try await request.body.collect(upTo: 1 << 20)
            return Response(status: .noContent)
        }
        let port = LockedValue<Int?>(nil)
        var logger = Logger(label: "bench-receiver")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } }, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            defer { group.cancelAll() }
            try await eventually(timeout: .seconds(30), "the receiver") { port.withLock { $0 } != nil }
            try await body(port.withLock { $0 }!)
        }
    }
}
