import AsyncHTTPClient
import BookingBridge
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle

/// What a test receiver saw.
struct ReceivedWebhook: Sendable {
    var path: String
    var id: String?
    var timestamp: String?
    var signature: String?
    var userAgent: String?
    var contentType: String?
    var body: [UInt8]
    var at: Date
    /// The signature matched one of the secrets registered for the path.
    var verified: Bool
}

/// The receiver's memory, and the secrets it checks signatures with.
actor ReceiverLog {
    private(set) var received: [ReceivedWebhook] = []
    private var secrets: [String: [StandardWebhooks.Secret]] = [:]
    private var healthy: Set<String> = []
    private var concurrent = 0
    /// The most requests `/hold` had open at once.
    private(set) var maxConcurrent = 0

    func enter() {
        concurrent += 1
        maxConcurrent = max(maxConcurrent, concurrent)
    }

    func leave() { concurrent -= 1 }

    func register(path: String, secret: String) throws { secrets[path] = [try StandardWebhooks.Secret(secret)] }
    func setHealthy(_ path: String) { healthy.insert(path) }
    func isHealthy(_ path: String) -> Bool { healthy.contains(path) }

    /// Records a request; returns how many requests with this path and webhook-id arrived so far (this one included).
    func record(_ request: ReceivedWebhook) -> Int {
        var request = request
        do {
            try StandardWebhooks.verify(
                id: request.id, timestamp: request.timestamp, signatureHeader: request.signature, body: request.body,
                secrets: secrets[request.path] ?? [])
            request.verified = true
        } catch {
            request.verified = false
        }
        received.append(request)
        return received.filter { $0.path == request.path && $0.id == request.id }.count
    }

    func on(_ path: String) -> [ReceivedWebhook] { received.filter { $0.path == path } }
}

/// A small real HTTP server on 127.0.0.1 with scripted answers per path:
/// `/ok` 204; `/fail3` 500 three times per webhook-id then 200; `/fail` 500 until `setHealthy`; `/gone` 410;
/// `/throttle` 429 with `Retry-After: 2` once per webhook-id, then 204; `/redirect` 302 to `/ok`; `/slow` waits 3 s on
/// the first request of each webhook-id, then 204; `/stall` answers 204 after 8 s; `/hold` answers 204 after 150 ms,
/// counting requests open at once.
enum TestReceiver {
    static func run<T: Sendable>(
        _ body: @Sendable (_ port: Int, _ log: ReceiverLog) async throws -> T
    ) async throws -> T {
        let log = ReceiverLog()
        let router = Router()
        router.post("{kind}") { request, context -> Response in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            let path = request.uri.path
            let seen = await log.record(
                ReceivedWebhook(
                    path: path, id: request.headers[.webhookID], timestamp: request.headers[.webhookTimestamp],
                    signature: request.headers[.webhookSignature], userAgent: request.headers[.userAgent],
                    contentType: request.headers[.contentType], body: Array(buffer.readableBytesView), at: Date(),
                    verified: false))
            switch path {
            case "/fail3": return Response(status: seen <= 3 ? .internalServerError : .ok)
            case "/fail": return Response(status: await log.isHealthy(path) ? .noContent : .internalServerError)
            case "/gone": return Response(status: .gone)
            case "/throttle":
                return seen == 1
                    ? Response(status: .tooManyRequests, headers: [.retryAfter: "2"]) : Response(status: .noContent)
            case "/redirect": return Response(status: .found, headers: [.location: "/ok"])
            case "/hold":
                await log.enter()
                try? await Task.sleep(for: .milliseconds(150))
                await log.leave()
                return Response(status: .noContent)
            case "/slow":
                if seen == 1 { try await Task.sleep(for: .seconds(3)) }
                return Response(status: .noContent)
            case "/stall":
                try await Task.sleep(for: .seconds(8))
                return Response(status: .noContent)
            default:
                return Response(status: .noContent, headers: [:], body: .init(byteBuffer: ByteBuffer(string: "")))
            }
        }
        let port = LockedValue<Int?>(nil)
        var logger = Logger(label: "test-receiver")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } }, logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await app.runService(gracefulShutdownSignals: [])
                return nil
            }
            defer { group.cancelAll() }
            try await eventually(timeout: .seconds(30), "the test receiver to start") { port.withLock { $0 } != nil }
            return try await body(port.withLock { $0 }!, log)
        }
    }
}

/// A fresh database, a receiver and helpers to subscribe, enqueue and run dispatchers.
struct TestWebhooks: Sendable {
    let database: Database
    let port: Int
    let log: ReceiverLog
    let http: HTTPClient

    static var logger: Logger {
        var logger = Logger(label: "webhook-test")
        logger.logLevel =
            ProcessInfo.processInfo.environment["TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        return logger
    }

    /// Loopback allowed, a short schedule, quick polling.
    static func settings(schedule: [String] = ["0s", "100ms", "100ms", "100ms"]) -> WebhookSettings {
        var settings = WebhookSettings()
        settings.allowDestinations = ["127.0.0.0/8", "::1/128"]
        settings.retrySchedule = schedule.compactMap(DurationText.parse)
        settings.pollInterval = .milliseconds(50)
        settings.timeoutSeconds = 5
        settings.jitter = 0
        return settings
    }

    static func run(_ body: @Sendable (TestWebhooks) async throws -> Void) async throws {
        let http = WebhookHTTPClient.make(settings: settings())
        do {
            try await TestDatabase.withFreshDatabase { database in
                try await TestReceiver.run { port, log in
                    try await body(TestWebhooks(database: database, port: port, log: log, http: http))
                }
            }
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    func url(_ path: String, host: String = "127.0.0.1", scheme: String = "http") -> String {
        "\(scheme)://\(host):\(port)\(path)"
    }

    /// Subscribes the receiver's `path` to every event type and registers the secret with the receiver.
    @discardableResult
    func subscribe(_ path: String, host: String = "127.0.0.1", types: [String] = ["*"]) async throws -> Subscription {
        let subscription = try await SubscriptionStore(database: database).create(
            NewSubscription(url: url(path, host: host), eventTypes: types))
        try await log.register(path: path, secret: subscription.secret)
        return subscription
    }

    struct Payload: Codable, Sendable {
        var intentId: UUID
        var note: String
    }

    /// Enqueues one `booking.confirmed` event in its own transaction and returns its id.
    @discardableResult
    func enqueue(type: String = WebhookEventType.bookingConfirmed, source: String? = "web") async throws -> String {
        let logger = Self.logger
        return try await database.client.withTransaction(logger: logger) { connection in
            try await Outbox.enqueue(
                type: type, data: Payload(intentId: UUID(), note: "héllo \"quoted\""), source: source, intentID: nil,
                on: connection, logger: logger)
        }
    }

    /// Runs a dispatcher while `body` runs; cancelling it afterwards is a hard stop (like a kill).
    func withDispatcher<T: Sendable>(
        _ settings: WebhookSettings = TestWebhooks.settings(), resolver: any HostResolver = SystemHostResolver(),
        _ body: @Sendable (WebhookDispatcher) async throws -> T
    ) async throws -> T {
        let dispatcher = WebhookDispatcher(
            database: database, settings: settings, httpClient: http, resolver: resolver, logger: Self.logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await dispatcher.run()
                return nil
            }
            defer { group.cancelAll() }
            dispatcher.wake()
            return try await body(dispatcher)
        }
    }

    func deliveries(event: String? = nil, subscription: UUID? = nil) async throws -> [DeliveryRecord] {
        try await DeliveryStore(database: database).list(subscriptionID: subscription, eventID: event, limit: 500)
    }

    func attempts(_ delivery: Int64) async throws -> [DeliveryAttemptRecord] {
        try await DeliveryStore(database: database).attempts(deliveryID: delivery)
    }
}

/// Polls `condition` until it holds or `timeout` passes.
func eventually(
    timeout: Duration = .seconds(10), _ what: String = "condition", _ condition: @Sendable () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(25))
    }
    struct Timeout: Error, CustomStringConvertible { var description: String }
    throw Timeout(description: "timed out waiting for \(what)")
}
