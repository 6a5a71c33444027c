import AsyncHTTPClient
import BookingBridge
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import PostgresNIO
import Synchronization

/// The webhook fan-out benchmark, callable from a test or a command: against one fast receiver on loopback
/// (answers 204, in this process), a plain loop of signed POSTs with the dispatcher's HTTP client and concurrency and
/// no database, then the dispatcher sending `count` deliveries that are all pending at the start, while this
/// process's resident memory is sampled. Needs an empty, migrated database.
public enum WebhookBenchmark {
    public struct Report: Sendable, CustomStringConvertible {
        public var count: Int
        public var concurrency: Int
        /// Requests of the plain loop, half before the dispatcher's run and half after it (so that a machine whose
        /// speed drifts during the run weighs on both sides alike), and the seconds each half took.
        public var plainCount: Int
        public var plainSecondsBefore: Double
        public var plainSecondsAfter: Double
        public var plainSeconds: Double { plainSecondsBefore + plainSecondsAfter }
        public var dispatcherSeconds: Double
        /// (deliveries the receiver has answered so far, resident KiB) every half second.
        public var memory: [(delivered: Int, residentKiB: Int)]
        public var residentBeforeKiB: Int
        /// CPU time of this process (user and system) during the plain loop and during the dispatcher's run.
        public var plainCPUSeconds: Double = 0
        public var dispatcherCPUSeconds: Double = 0
        /// CPU time of the PostgreSQL server's processes during the dispatcher's run, when they run on this machine
        /// (read from /proc; nil when none could be read).
        public var postgresCPUSeconds: Double?

        public var plainRate: Double { Double(plainCount) / plainSeconds }

        static func rate(_ count: Int, _ seconds: Double) -> Int { seconds > 0 ? Int(Double(count) / seconds) : 0 }
        public var dispatcherRate: Double { Double(count) / dispatcherSeconds }

        /// PostgreSQL's share: with it, what one delivery costs the machine against one plain request.
        var postgresLine: String {
            guard let postgres = postgresCPUSeconds else {
                return "CPU of PostgreSQL per delivery: not measured (its processes are not readable on this machine)"
            }
            let perDelivery = postgres / Double(count) * 1e6
            let total = (dispatcherCPUSeconds + postgres) / Double(count) * 1e6
            let plain = plainCPUSeconds / Double(plainCount) * 1e6
            return
                "CPU of PostgreSQL per delivery: \(Int(perDelivery)) us (its processes on this machine); this process and PostgreSQL together \(Int(total)) us per delivery, \(String(format: "%.2f", total / plain))x the plain loop's per request"
        }

        public var description: String {
            let rss = memory.map(\.residentKiB)
            let progress = stride(from: 0, to: memory.count, by: max(1, memory.count / 10))
                .map { "\(memory[$0].delivered):\(memory[$0].residentKiB / 1024)MiB" }.joined(separator: " ")
            return """
                webhook benchmark: \(count) deliveries, concurrency \(concurrency), receiver answers 204 on loopback
                plain signed-POST loop (no database): \(plainCount) in \(String(format: "%.2f", plainSeconds)) s, half before and half after the dispatcher (\(Self.rate(plainCount / 2, plainSecondsBefore)) and \(Self.rate(plainCount - plainCount / 2, plainSecondsAfter)) req/s) = \(Int(plainRate)) req/s
                dispatcher (claim, sign, send, record): \(count) in \(String(format: "%.2f", dispatcherSeconds)) s = \(Int(dispatcherRate)) deliveries/s
                ratio dispatcher/plain: \(String(format: "%.2f", dispatcherRate / plainRate))
                CPU of this process per request: plain loop \(Int(plainCPUSeconds / Double(plainCount) * 1e6)) us, dispatcher \(Int(dispatcherCPUSeconds / Double(count) * 1e6)) us (receiver included; PostgreSQL's not)
                \(postgresLine)
                resident memory by progress: \(progress)
                resident memory: before \(residentBeforeKiB / 1024) MiB, while sending min \((rss.min() ?? 0) / 1024) MiB, max \((rss.max() ?? 0) / 1024) MiB (\(memory.count) samples)
                """
        }
    }

    public static func run(database: Database, count: Int, concurrency: Int, logger: Logger) async throws -> Report {
        var settings = WebhookSettings()
        settings.allowDestinations = ["127.0.0.0/8"]
        settings.workers = concurrency
        // The one subscription may take every worker and the deliveries claimed ahead for them: the cap counts
        // claimed deliveries, so as it is (`concurrency`) it would keep the claim-ahead queue empty.
        settings.maxConcurrentPerSubscription = 2 * concurrency
        settings.pollInterval = .milliseconds(200)
        let fixed = settings
        let http = WebhookHTTPClient.make(settings: settings)
        do {
            let report = try await withFastReceiver(logger: logger) { port, received in
                try await measure(
                    database: database, url: "http://127.0.0.1:\(port)/hook", settings: fixed, http: http, count: count,
                    received: received, logger: logger)
            }
            try await http.shutdown()
            return report
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    private static func measure(
        database: Database, url: String, settings: WebhookSettings, http: HTTPClient, count: Int,
        received: ReceivedCount, logger: Logger
    ) async throws -> Report {
        let concurrency = settings.workers
        let secret = StandardWebhooks.Secret.generate()
        let body = try WebhookEventBody.make(
            type: "booking.confirmed", timestamp: Date(),
            data: ["intentId": UUID().uuidString, "email": "bench@example.com", "status": "booked"])
        _ = try await plainLoop(http: http, url: url, body: body, secret: secret, count: 500, concurrency: concurrency)
        let plainCount = max(2, min(count, 50_000))
        var plainCPU = processCPUSeconds()
        let plainSecondsBefore = try await plainLoop(
            http: http, url: url, body: body, secret: secret, count: plainCount / 2, concurrency: concurrency)
        plainCPU = processCPUSeconds() - plainCPU

        let subscription = try await SubscriptionStore(database: database).create(
            NewSubscription(url: url, eventTypes: ["*"], secret: secret.text))
        try await BenchmarkStore.seedPendingDeliveries(
            count: count, body: body, subscriptionID: subscription.id, database: database)
        let before = residentKiB()
        let receivedBefore = received.value
        let dispatcher = WebhookDispatcher(database: database, settings: settings, httpClient: http, logger: logger)
        let postgresBefore = await postgresCPUTicks(database)
        let started = ContinuousClock.now
        let dispatcherCPUBefore = processCPUSeconds()
        let (elapsed, memory) = try await withThrowingTaskGroup(of: Void.self) {
            group -> (Duration, [(delivered: Int, residentKiB: Int)]) in
            group.addTask { try await dispatcher.run() }
            defer { group.cancelAll() }
            var memory: [(delivered: Int, residentKiB: Int)] = []
            // Progress from the receiver's own count: counting delivered rows every half second cost the
            // database more and more (a sequential count over the table) while it was being measured. Looked at
            // every 10 ms (the end was seen up to half a second late when this slept as long as the memory samples
            // are apart: ~1 % of a 30-second run), memory sampled every half second.
            var nextSample = ContinuousClock.now + .milliseconds(500)
            while true {
                try await Task.sleep(for: .milliseconds(10))
                let answered = received.value - receivedBefore
                if ContinuousClock.now >= nextSample || answered >= count {
                    memory.append((answered, residentKiB()))
                    nextSample = ContinuousClock.now + .milliseconds(500)
                }
                if answered >= count { break }
            }
            // Every request has been answered; done when every attempt is recorded too.
            while try await delivered(database) < count { try await Task.sleep(for: .milliseconds(10)) }
            return (ContinuousClock.now - started, memory)
        }
        let dispatcherCPU = processCPUSeconds() - dispatcherCPUBefore
        let postgresAfter = await postgresCPUTicks(database)
        // The second half starts as the first did: without the dispatcher's dirty pages or dead rows to work
        // through (autovacuum would otherwise weigh on it, not on the dispatcher).
        try await BenchmarkStore.settleAfterRun(database: database)
        let plainCPUAfterBefore = processCPUSeconds()
        let plainSecondsAfter = try await plainLoop(
            http: http, url: url, body: body, secret: secret, count: plainCount - plainCount / 2,
            concurrency: concurrency)
        plainCPU += processCPUSeconds() - plainCPUAfterBefore
        var postgresCPU: Double?
        if !postgresAfter.isEmpty {
            // A process that started during the run (a pool connection's backend, say) counts from zero.
            let ticks = postgresAfter.reduce(0) { sum, entry in
                sum + max(0, entry.value - (postgresBefore[entry.key] ?? 0))
            }
            postgresCPU = Double(ticks) / Double(sysconf(Int32(_SC_CLK_TCK)))
        }
        return Report(
            count: count, concurrency: concurrency, plainCount: plainCount, plainSecondsBefore: plainSecondsBefore,
            plainSecondsAfter: plainSecondsAfter, dispatcherSeconds: elapsed.seconds, memory: memory,
            residentBeforeKiB: before, plainCPUSeconds: plainCPU, dispatcherCPUSeconds: dispatcherCPU,
            postgresCPUSeconds: postgresCPU)
    }

    /// User and system CPU ticks so far of each PostgreSQL server process (backends and background processes, as
    /// `pg_stat_activity` lists them) that runs on this machine and whose /proc entry is readable; empty otherwise
    /// (a remote server). Processes that exit between two readings (an autovacuum worker, say) are missed.
    static func postgresCPUTicks(_ database: Database) async -> [Int32: Int] {
        var ticks: [Int32: Int] = [:]
        guard let pids = try? await BenchmarkStore.serverProcessIDs(database: database) else { return ticks }
        for pid in pids {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let comm = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8),
                comm.hasPrefix("postgres"),
                let close = stat.lastIndex(of: ")")
            else { continue }
            // Fields after "(comm)": state is field 3; utime and stime are fields 14 and 15.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { continue }
            ticks[pid] = user + system
        }
        return ticks
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
                                id: "evt_plain_\(n)", timestamp: timestamp, body: bytes.readableBytesView,
                                secrets: [secret]))
                        request.body = .bytes(bytes)
                        let response = try await http.execute(request, timeout: .seconds(15))
                        for try await _ in response.body {}
                        guard response.status.code == 204 else {
                            throw BenchmarkError(description: "the benchmark receiver answered \(response.status.code)")
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        return (ContinuousClock.now - started).seconds
    }

    /// Deliveries with status delivered.
    public static func delivered(_ database: Database) async throws -> Int {
        try await BenchmarkStore.delivered(database: database)
    }

    /// User and system CPU time this process has used, in seconds.
    public static func processCPUSeconds() -> Double {
        var usage = rusage()
        #if canImport(Glibc)
            let who = RUSAGE_SELF.rawValue
        #else
            let who = RUSAGE_SELF
        #endif
        guard getrusage(who, &usage) == 0 else { return 0 }
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// VmRSS of this process in KiB (Linux), 0 elsewhere.
    public static func residentKiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
        }
        return 0
    }

    /// A receiver that reads the body and answers 204, on a free loopback port, while `body` runs with the port
    /// and the number of requests answered so far.
    static func withFastReceiver<T: Sendable>(
        logger: Logger, _ body: @Sendable (Int, ReceivedCount) async throws -> T
    ) async throws -> T {
        // Not a bridge route: the benchmark's own receiver (named apart so the OpenAPI coverage test skips it).
        let receiverRouter = Router()
        let received = ReceivedCount()
        receiverRouter.post("hook") { request, _ -> Response in
            _ = try await request.body.collect(upTo: 1 << 20)
            received.add()
            return Response(status: .noContent)
        }
        let port = LockedValue<Int?>(nil)
        var quiet = logger
        quiet.logLevel = .critical
        let app = Application(
            router: receiverRouter, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } }, logger: quiet)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await app.runService(gracefulShutdownSignals: [])
                return nil
            }
            defer { group.cancelAll() }
            let deadline = ContinuousClock.now + .seconds(30)
            while port.withLock({ $0 }) == nil {
                guard ContinuousClock.now < deadline else {
                    throw BenchmarkError(description: "the benchmark receiver did not start")
                }
                try await Task.sleep(for: .milliseconds(10))
            }
            return try await body(port.withLock { $0 }!, received)
        }
    }
}

/// The benchmark receiver's request count.
final class ReceivedCount: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .relaxed) }
    func add() { count.add(1, ordering: .relaxed) }
}

/// A benchmark that could not run as set up (its receiver did not start or answered otherwise).
struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
}
