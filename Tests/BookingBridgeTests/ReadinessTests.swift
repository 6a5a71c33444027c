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

/// The database down is an answer, not a wait: `/readyz` turns 503 at once, intake and admin routes answer 503 with
/// `Retry-After` within a few seconds (`intake.commitTimeout`, 3 s), the process stays up, everything accepted
/// before stays stored, and when PostgreSQL is back the same process accepts again and shuts down within its grace.
@Suite("Database down")
struct ReadinessTests {
    @Test("503 with Retry-After while PostgreSQL is stopped, 202 again after it starts, and a clean shutdown")
    func databaseDownIsAnAnswer() async throws {
        // A cluster of its own, durable (the shared test cluster runs with synchronous_commit off, whose last commits
        // an immediate shutdown may lose): this test stops it.
        var options = EphemeralPostgres.Options()
        options.durable = true
        let cluster = try await EphemeralPostgres.start(options: options)
        defer { cluster.stop() }
        let logger = TestBridge.logger
        let began = ContinuousClock.now
        func step(_ text: String) { print("database-down test, \(ContinuousClock.now - began): \(text)") }
        let database = try Database(url: cluster.url, maximumConnections: 4, logger: logger)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        var configuration = BridgeConfiguration()
        configuration.databaseURL = cluster.url
        configuration.port = 0
        configuration.adminToken = TestIntakeApp.adminToken
        configuration.sources = [
            "partner": SourceConfiguration(
                auth: .token("partner-token"), slug: "jane-doe/intro-30", durationMinutes: 30, timezone: "UTC")
        ]
        configuration.intake = TestIntakeApp.roomySettings
        configuration.pipeline.shutdownGrace = .seconds(3)
        // No HubSpot: the intents stay due, which is all this test needs.
        configuration.hubspot.baseURL = "http://127.0.0.1:9"
        configuration.hubspot.accessToken = "unused"
        let bridge = BridgeApplication(
            configuration: configuration, database: database, httpClient: http, logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: bridge.services().map { .init(service: $0) }, logger: logger))
        // The pool and the bridge run in tasks of their own, so that a shutdown that does not end fails this test
        // instead of stopping the whole test run.
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
        struct Answer {
            var status: Int
            var retryAfter: String?
            var body: String
            var took: Duration
        }
        func send(_ path: String, method: HTTPMethod = .GET, body: String? = nil, admin: Bool = false) async -> Answer {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
            request.method = method
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.headers.add(name: "Authorization", value: "Bearer partner-token")
                request.body = .bytes(ByteBuffer(string: body))
            }
            if admin { request.headers.add(name: "Authorization", value: "Bearer \(TestIntakeApp.adminToken)") }
            let sent = ContinuousClock.now
            guard let response = try? await http.execute(request, timeout: .seconds(20)),
                let bytes = try? await response.body.collect(upTo: 1 << 20)
            else { return Answer(status: -1, retryAfter: nil, body: "", took: ContinuousClock.now - sent) }
            return Answer(
                status: Int(response.status.code), retryAfter: response.headers.first(name: "Retry-After"),
                body: String(buffer: bytes), took: ContinuousClock.now - sent)
        }
        func submission(_ n: Int) -> String {
            let start = (Date.now + Double(30 * 86_400 + n * 3_600)).formatted(.iso8601)
            return """
                {"email": "down\(n)@bookingbridge.dev", "firstName": "Dana", "lastName": "Down", "startTime": "\(start)"}
                """
        }
        func eventually(_ path: String, is expected: Int) async throws -> Bool {
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                if await send(path).status == expected { return true }
                try await Task.sleep(for: .milliseconds(200))
            }
            return false
        }
        #expect(try await eventually("/readyz", is: 200))
        var accepted: [String] = []
        for n in 0..<3 {
            let answer = await send("/v1/intake/partner", method: .POST, body: submission(n))
            #expect(answer.status == 202, "\(answer.body)")
            if let id = try? JSONDecoder().decode([String: String].self, from: Data(answer.body.utf8))["id"] {
                accepted.append(id)
            }
        }
        #expect(accepted.count == 3)

        step("ready, 3 accepted; stopping PostgreSQL")
        try await cluster.stopServer(mode: "immediate")
        let readiness = await send("/readyz")
        #expect(readiness.status == 503, "\(readiness.body)")
        #expect(readiness.took < .seconds(2), "readiness took \(readiness.took)")
        // Several at once, as a form service's retries would arrive.
        let posts = await withTaskGroup(of: Answer.self) { posts in
            for n in 10..<16 { posts.addTask { await send("/v1/intake/partner", method: .POST, body: submission(n)) } }
            var answers: [Answer] = []
            for await answer in posts { answers.append(answer) }
            return answers
        }
        for answer in posts {
            #expect(answer.status == 503, "\(answer.body)")
            #expect(answer.retryAfter != nil, "intake's 503 says when to try again")
            #expect(answer.took < .seconds(5), "intake answered after \(answer.took)")
            #expect(answer.body.contains("try again"), "\(answer.body)")
        }
        // A visitor's browser gets a page that says to try again.
        var browser = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/intake/partner")
        browser.method = .POST
        browser.headers.add(name: "Accept", value: "text/html,application/xhtml+xml")
        browser.headers.add(name: "Content-Type", value: "application/json")
        browser.headers.add(name: "Authorization", value: "Bearer partner-token")
        browser.body = .bytes(ByteBuffer(string: submission(17)))
        let page = try await http.execute(browser, timeout: .seconds(10))
        #expect(page.status == .serviceUnavailable)
        #expect(page.headers.first(name: "Content-Type")?.hasPrefix("text/html") == true)
        #expect(page.headers.first(name: "Retry-After") != nil)
        #expect(String(buffer: try await page.body.collect(upTo: 1 << 16)).contains("try again"))
        for path in ["/v1/intents?limit=5", "/v1/subscriptions", "/v1/intents/\(accepted.first ?? "")"] {
            let answer = await send(path, admin: true)
            #expect(answer.status == 503, "\(path): \(answer.body)")
            #expect(answer.retryAfter != nil, "\(path): 503 with Retry-After")
            #expect(answer.took < .seconds(5), "\(path) answered after \(answer.took)")
        }
        #expect(await send("/healthz").status == 200, "the process itself stays up")

        step("503s while it is down; starting PostgreSQL again")
        try await cluster.startServer()
        #expect(try await eventually("/readyz", is: 200), "ready again once the database is back")
        var again = Answer(status: -1, retryAfter: nil, body: "", took: .zero)
        let deadline = ContinuousClock.now + .seconds(30)
        while again.status != 202 && ContinuousClock.now < deadline {
            again = await send("/v1/intake/partner", method: .POST, body: submission(20))
            if again.status != 202 { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(again.status == 202, "intake accepts again without a restart: \(again.body)")
        for id in accepted {
            #expect(
                await send("/v1/intents/\(id)", admin: true).status == 200, "intent \(id) accepted before is stored")
        }

        step("accepting again; shutting down")
        let shutdownStarted = ContinuousClock.now
        await group.triggerGracefulShutdown()
        let stopped = await Self.finishes(within: .seconds(15)) { _ = await service.result }
        #expect(stopped, "the bridge stops within 15 s of the graceful shutdown, database restart or not")
        if stopped {
            let took = ContinuousClock.now - shutdownStarted
            #expect(took < .seconds(8), "graceful shutdown took \(took) (grace 3 s)")
        }
        pool.cancel()
        #expect(await Self.finishes(within: .seconds(10)) { await pool.value }, "the pool stops once cancelled")
        step(stopped ? "bridge stopped" : "bridge did not stop; left behind")
        try await http.shutdown()
        step("done")
    }

    @Test("the bounded wait reports work that ends, and gives up on work that never does")
    func boundedWait() async {
        #expect(await Self.finishes(within: .seconds(10)) { try? await Task.sleep(for: .milliseconds(10)) })
        // Still waiting when the limit comes (`finishes` does not cancel it: the test must not depend on the work
        // it watches answering cancellation).
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
