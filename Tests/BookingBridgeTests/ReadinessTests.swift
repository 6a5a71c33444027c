import AsyncHTTPClient
import BookingBridge
import EphemeralPostgres
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import PostgresNIO
import ServiceLifecycle
import Testing

/// `/readyz` follows the database: 503 with the reason while PostgreSQL is down, 200 again when it is back; the
/// process itself stays up (`/healthz`).
@Suite("Readiness")
struct ReadinessTests {
    @Test("/readyz turns 503 when PostgreSQL stops and 200 when it returns")
    func readinessFollowsTheDatabase() async throws {
        // A cluster of its own, durable (the shared test cluster runs with synchronous_commit off, whose last commits
        // an immediate shutdown may lose): this test stops it.
        var options = EphemeralPostgres.Options()
        options.durable = true
        let cluster = try await EphemeralPostgres.start(options: options)
        defer { cluster.stop() }
        let logger = TestBridge.logger
        let began = ContinuousClock.now
        // Where the test is, in the output (it is the one seen unfinished when a test run stopped making progress).
        func step(_ text: String) { print("readiness test, \(ContinuousClock.now - began): \(text)") }
        let database = try Database(url: cluster.url, maximumConnections: 4, logger: logger)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        var configuration = BridgeConfiguration()
        configuration.databaseURL = cluster.url
        configuration.port = 0
        configuration.hubspot.baseURL = "http://127.0.0.1:9"
        configuration.hubspot.accessToken = "unused"
        let bridge = BridgeApplication(
            configuration: configuration, database: database, httpClient: http, logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: bridge.services().map { .init(service: $0) }, logger: logger))
        // The pool and the bridge run in tasks of their own, not children of this one: after PostgreSQL was killed
        // under it, a database call can ignore cancellation and never end. That is the known shutdown hang after a
        // restart (Tests/resilience's `pgrestart` reports it as SHUTDOWN HANG), which `serve` gets out of by
        // escalating to cancellation and then exiting. Here the test records it and leaves those tasks behind,
        // where a task group would have waited for ever (the whole test run stopped making progress).
        let pool = Task { await database.client.run() }
        var running: Task<Void, any Error>?
        defer {
            running?.cancel()
            pool.cancel()
        }
        try await Migrations().apply(on: database)
        let service = Task { try await group.run() }
        running = service
        let port = try await bridge.boundPort.wait()
        func status(_ path: String) async -> Int {
            guard
                let response = try? await http.execute(
                    HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)"), timeout: .seconds(10))
            else { return -1 }
            return Int(response.status.code)
        }
        func eventually(_ path: String, is expected: Int) async throws -> Bool {
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                if await status(path) == expected { return true }
                try await Task.sleep(for: .milliseconds(200))
            }
            return false
        }
        #expect(try await eventually("/readyz", is: 200))
        step("ready; stopping PostgreSQL")
        try await cluster.stopServer(mode: "immediate")
        #expect(try await eventually("/readyz", is: 503), "503 while the database is down")
        #expect(await status("/healthz") == 200, "the process itself stays up")
        step("not ready while it is down; starting PostgreSQL again")
        try await cluster.startServer()
        #expect(try await eventually("/readyz", is: 200), "ready again once the database is back")
        step("ready again; shutting down")
        await group.triggerGracefulShutdown()
        var stopped = await Self.finishes(within: .seconds(30)) { _ = await service.result }
        if !stopped {
            service.cancel()
            stopped = await Self.finishes(within: .seconds(10)) { _ = await service.result }
        }
        pool.cancel()
        let poolStopped = await Self.finishes(within: .seconds(10)) { await pool.value }
        withKnownIssue("after a PostgreSQL restart a database call can ignore cancellation", isIntermittent: true) {
            #expect(stopped, "the bridge stops after the graceful shutdown, or once cancelled")
            #expect(poolStopped, "the pool stops once cancelled")
        }
        step(stopped && poolStopped ? "bridge and pool stopped" : "bridge or pool did not stop; left behind")
        try await http.shutdown()
        step("done")
    }

    @Test("the bounded wait reports work that ends, and gives up on work that never does")
    func boundedWait() async {
        #expect(await Self.finishes(within: .seconds(10)) { try? await Task.sleep(for: .milliseconds(10)) })
        // Still waiting when the limit comes (`finishes` does not cancel it, as the stuck database call ignores
        // cancellation).
        #expect(!(await Self.finishes(within: .milliseconds(100)) { try? await Task.sleep(for: .seconds(3600)) }))
    }

    /// True when `work` ends within `limit`; otherwise false, and `work` is left running in a task of its own.
    static func finishes(within limit: Duration, _ work: @escaping @Sendable () async -> Void) async -> Bool {
        let (results, result) = AsyncStream.makeStream(of: Bool.self)
        Task {
            await work()
            result.yield(true)
        }
        let timer = Task {
            try? await Task.sleep(for: limit)
            result.yield(false)
        }
        defer { timer.cancel() }
        for await finished in results { return finished }
        return false
    }
}
