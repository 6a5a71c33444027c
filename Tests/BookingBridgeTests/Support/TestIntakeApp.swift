import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import Testing

@testable import BookingBridge

/// An in-process bridge with only intake and the intents admin API, on a fresh test database.
enum TestIntakeApp {
    /// "Now" for every HTTP intake test, so that fixed dates stay in the future.
    static let now = try! Date("2026-11-26T08:00:00Z", strategy: .iso8601)
    static let adminToken = "admin-token"
    static let hmacSecret = StandardWebhooks.Secret(key: Array(repeating: 42, count: 32))

    static var sources: [String: SourceConfiguration] {
        var website = IntakeMappingTests.website
        website.rateLimitPerMinute = nil
        return [
            "website": website,
            "partner": SourceConfiguration(
                auth: .token("partner-token"), slug: "jane-doe/partner", durationMinutes: 30, timezone: "UTC"),
            "typeform": SourceConfiguration(
                auth: .hmac(secret: hmacSecret.text), slug: "jane-doe/intro-30", durationMinutes: 30,
                timezone: "America/New_York", fields: ["startTime": "start"]),
            "tiny": SourceConfiguration(
                auth: .token("tiny-token"), slug: "jane-doe/tiny", durationMinutes: 15, timezone: "UTC",
                rateLimitPerMinute: 2),
            "tinyhook": SourceConfiguration(
                auth: .hmac(secret: hmacSecret.text), slug: "jane-doe/tiny", durationMinutes: 15, timezone: "UTC",
                rateLimitPerMinute: 2),
            "tinyform": SourceConfiguration(
                auth: .public(allowedOrigins: ["https://www.example.org"], honeypotField: nil), slug: "jane-doe/tiny",
                durationMinutes: 15, timezone: "UTC", rateLimitPerMinute: 2),
        ]
    }

    static var roomySettings: IntakeSettings {
        var settings = IntakeSettings()
        settings.rateLimitPerClientPerMinute = 1_000_000
        settings.defaultSourceRateLimitPerMinute = 1_000_000
        return settings
    }

    /// Counts `wake()` calls.
    final class WakeCounter: Sendable {
        private let count = LockedValue(0)
        func wake() { count.withLock { $0 += 1 } }
        var value: Int { count.withLock { $0 } }
    }

    struct Context: Sendable {
        var client: any TestClientProtocol
        var database: Database
        var wakes: WakeCounter
    }

    static func run(
        _ setup: TestingSetup = .router, settings: IntakeSettings = roomySettings, publicURL: String? = nil,
        sources: [String: SourceConfiguration] = TestIntakeApp.sources,
        _ body: @escaping @Sendable (Context) async throws -> Void
    ) async throws {
        try await TestDatabase.withFreshDatabase { database in
            let wakes = WakeCounter()
            let router = Router(context: BridgeRequestContext.self)
            router.add(middleware: ProblemMiddleware())
            router.add(middleware: RequestIDMiddleware())
            var logger = Logger(label: "intake-test")
            logger.logLevel = .warning
            var intake = IntakeController(
                store: IntentStore(database: database), sources: sources, settings: settings, publicURL: publicURL,
                wake: { wakes.wake() }, logger: logger)
            intake.now = { now }
            intake.addRoutes(to: router)
            IntentsController(database: database).addRoutes(
                to: router.group("v1").add(middleware: AdminAuthMiddleware(token: adminToken)))
            let app = Application(router: router, logger: logger)
            try await app.test(setup) { client in
                try await body(Context(client: client, database: database, wakes: wakes))
            }
        }
    }

    static func count(_ database: Database, _ sql: PostgresQuery = "SELECT count(*) FROM intents") async throws -> Int {
        for try await (n, ) in try await database.client.query(sql, logger: database.logger).decode((Int,).self) {
            return n
        }
        return 0
    }
}

extension TestClientProtocol {
    /// Posts `body` to an intake source.
    func post(
        _ source: String, _ body: String, contentType: String? = "application/json", headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        var all = headers
        if let contentType { all[.contentType] = contentType }
        return try await execute(
            uri: "/v1/intake/\(source)", method: .post, headers: all, body: ByteBuffer(string: body))
    }

    func admin(_ uri: String) async throws -> TestResponse {
        try await execute(uri: uri, method: .get, headers: [.authorization: "Bearer \(TestIntakeApp.adminToken)"])
    }
}

extension TestResponse {
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    }

    /// The `errors` of a problem answer as field → message.
    var fieldErrors: [String: String] {
        let errors = json["errors"] as? [[String: Any]] ?? []
        return Dictionary(
            errors.compactMap { e in (e["field"] as? String).map { ($0, e["message"] as? String ?? "") } },
            uniquingKeysWith: { a, _ in a })
    }

    var isProblem: Bool {
        headers[.contentType] == "application/problem+json" && json["status"] as? Int == Int(status.code)
    }
}

/// `GET /v1/intents/{id}` as a test reads it.
struct StoredIntent: Decodable {
    struct Received: Decodable {
        var contentType: String?
        var fields: [String: String]
        var clientIp: String?
        var userAgent: String?
    }

    struct Attempt: Decodable {
        var stage: String
        var outcome: String
        var httpStatus: Int?
        var correlationId: String?
    }

    struct Booking: Decodable {
        var slug: String
        var calendarEventId: String?
        var isOffline: Bool
    }

    struct Delivery: Decodable {
        var eventId: String
        var eventType: String
        var status: String
        var attempts: Int
    }

    var id: String
    var source: String
    var status: String
    var idempotencyKey: String
    var request: BookingRequest
    var received: Received
    var attemptCount: Int
    var lastError: FailureReason?
    var finishedAt: Date?
    var attempts: [Attempt]
    var booking: Booking?
    var deliveries: [Delivery]?
}

extension TestClientProtocol {
    func intent(_ id: String?) async throws -> StoredIntent {
        let response = try await admin("/v1/intents/\(id ?? "missing")")
        try #require(response.status == .ok)
        return try JSONCoding.decoder.decode(StoredIntent.self, from: Data(response.body.readableBytesView))
    }
}

extension Date {
    init(iso text: String) { self = try! Date(text, strategy: .iso8601) }
}
