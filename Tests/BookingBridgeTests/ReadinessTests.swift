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
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { await database.client.run() }
            try await Migrations().apply(on: database)
            tasks.addTask { try await group.run() }
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
            tasks.cancelAll()
        }
        step("bridge and pool stopped")
        try await http.shutdown()
        step("done")
    }
}
