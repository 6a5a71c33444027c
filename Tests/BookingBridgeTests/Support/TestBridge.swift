import AsyncHTTPClient
import BookingBridge
import Foundation
import HubSpotSandbox
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import PostgresNIO
import ServiceLifecycle

/// A whole bridge for end-to-end tests: a fresh database, the HubSpot sandbox on a free port, and every service of
/// `BridgeApplication` (HTTP intake, pipeline, dispatcher) running as in production, on a free loopback port.
struct TestBridge: Sendable {
    let database: Database
    let databaseURL: String
    let sandbox: HubSpotSandbox
    let bridge: BridgeApplication
    let baseURL: String
    let adminToken = "test-admin-token"
    let http: HTTPClient

    /// The default test configuration: a public source `web` on the personal link, a token source `rr` on the
    /// round-robin link, short backoffs and loopback webhooks allowed.
    static func configuration(databaseURL: String, sandboxURL: String) -> BridgeConfiguration {
        var c = BridgeConfiguration()
        c.databaseURL = databaseURL
        c.port = 0
        c.adminToken = "test-admin-token"
        c.hubspot.baseURL = sandboxURL
        c.hubspot.accessToken = "sandbox-token"
        c.hubspot.account = "test-\(UUID().uuidString.prefix(8))"
        c.pipeline.pollInterval = .milliseconds(200)
        c.pipeline.baseBackoff = .milliseconds(50)
        c.pipeline.maxBackoff = .milliseconds(500)
        c.pipeline.lease = .seconds(15)
        c.pipeline.reconcileDelay = .milliseconds(300)
        c.intake.rateLimitPerClientPerMinute = 100_000
        c.webhooks.allowDestinations = ["127.0.0.0/8", "::1/128"]
        c.sources["web"] = SourceConfiguration(
            auth: .public(allowedOrigins: [], honeypotField: "website"), slug: SandboxSeeds.personalLinkSlug,
            durationMinutes: 30, timezone: "Europe/London")
        c.sources["rr"] = SourceConfiguration(
            auth: .token("rr-token"), slug: SandboxSeeds.roundRobinLinkSlug, durationMinutes: 30,
            timezone: "America/New_York")
        c.sources["onboarding"] = SourceConfiguration(
            auth: .public(allowedOrigins: [], honeypotField: nil), slug: SandboxSeeds.formLinkSlug, durationMinutes: 45,
            timezone: "Europe/Berlin", formFields: ["account_id": "account"],
            consent: ["processing_ok": SandboxSeeds.requiredConsentTypeId])
        return c
    }

    static var logger: Logger {
        var logger = Logger(label: "test-bridge")
        logger.logLevel =
            ProcessInfo.processInfo.environment["TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        return logger
    }

    /// Runs `body` against a running bridge, and shuts everything down afterwards, also when `body` throws. The
    /// bridge and its service group log to `logger` (by default `TestBridge.logger`).
    static func run<T: Sendable>(
        sandbox configureSandbox: @Sendable (inout SandboxConfiguration) -> Void = { _ in },
        configure: @Sendable (inout BridgeConfiguration) -> Void = { _ in },
        logger bridgeLogger: Logger? = nil,
        _ body: @Sendable (TestBridge) async throws -> T
    ) async throws -> T {
        var sandboxConfiguration = SandboxConfiguration()
        sandboxConfiguration.port = 0
        configureSandbox(&sandboxConfiguration)
        let logger = bridgeLogger ?? Self.logger
        let sandbox = HubSpotSandbox(configuration: sandboxConfiguration, logger: Self.logger)
        try await sandbox.start()
        let sandboxURL = await sandbox.baseURL
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let result = try await TestDatabase.withFreshDatabase(migrate: true, maximumConnections: 20) {
                database, url in
                var configuration = Self.configuration(databaseURL: url, sandboxURL: sandboxURL)
                configure(&configuration)
                let bridge = BridgeApplication(
                    configuration: configuration, database: database, httpClient: http, logger: logger)
                let group = ServiceGroup(
                    configuration: .init(services: bridge.services().map { .init(service: $0) }, logger: logger))
                return try await withThrowingTaskGroup(of: T?.self) { tasks in
                    tasks.addTask {
                        try await group.run()
                        return nil
                    }
                    do {
                        let port = try await bridge.boundPort.wait()
                        let harness = TestBridge(
                            database: database, databaseURL: url, sandbox: sandbox, bridge: bridge,
                            baseURL: "http://127.0.0.1:\(port)", http: http)
                        let value = try await body(harness)
                        await group.triggerGracefulShutdown()
                        try await tasks.waitForAll()
                        return value
                    } catch {
                        await group.triggerGracefulShutdown()
                        try? await tasks.waitForAll()
                        throw error
                    }
                }
            }
            try await http.shutdown()
            await sandbox.stop()
            return result
        } catch {
            try? await http.shutdown()
            await sandbox.stop()
            throw error
        }
    }

    struct Answer: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: Data
        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
    }

    /// Sends a request to the bridge.
    func request(
        _ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: Data? = nil
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(data: body)) }
        let response = try await http.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 8 << 20)
        return Answer(status: Int(response.status.code), headers: response.headers, body: Data(buffer: bytes))
    }

    /// Posts a JSON submission to a source; returns the answer.
    func submit(_ source: String, _ fields: [String: Any], headers: [(String, String)] = []) async throws -> Answer {
        try await request(
            .POST, "/v1/intake/\(source)", headers: [("Content-Type", "application/json")] + headers,
            body: try JSONSerialization.data(withJSONObject: fields))
    }

    /// Waits until the intent reaches a final status (or the timeout passes) and returns it.
    func waitForFinal(_ id: UUID, timeout: Duration = .seconds(30)) async throws -> IntentRecord {
        let store = IntentStore(database: database)
        let deadline = ContinuousClock.now + timeout
        while true {
            if let intent = try await store.find(id: id), intent.status.isFinal { return intent }
            guard ContinuousClock.now < deadline else {
                let last = try await store.find(id: id)
                throw TestFailure(
                    "intent \(id) not final after \(timeout): \(String(describing: last?.status)) \(String(describing: last?.lastError))"
                )
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Offered slot starts of a link for a duration, from the sandbox's availability (this month and the next two).
    func freeSlots(slug: String, timezone: String, minutes: Int) async throws -> [Date] {
        var starts: [Date] = []
        let encoded = slug.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? slug
        let zone = timezone.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? timezone
        for offset in 0..<3 {
            var request = HTTPClientRequest(
                url:
                    "\(await sandbox.baseURL)/scheduler/2026-03/meetings/meeting-links/book/availability-page/\(encoded)?timezone=\(zone)&monthOffset=\(offset)"
            )
            request.headers.add(name: "Authorization", value: "Bearer sandbox-token")
            let response = try await http.execute(request, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 8 << 20)
            let page = try JSONDecoder().decode(HubSpotAvailabilityPage.self, from: Data(buffer: body))
            starts += page.linkAvailability.slots(durationMillis: Int64(minutes) * 60_000).map {
                Date(timeIntervalSince1970: Double($0.startMillisUtc) / 1000)
            }
            if !page.linkAvailability.hasMore { break }
        }
        return Array(Set(starts)).sorted()
    }

    /// Counts rows of a table matching a condition.
    func count(_ sql: String) async throws -> Int {
        try await database.client.query(PostgresQuery(unsafeSQL: sql)).decode(Int.self).first { _ in true } ?? -1
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension Date {
    var iso: String { formatted(.iso8601) }
}
