import BookingBridge
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import Testing

/// The admin API for subscriptions and deliveries, through the router.
@Suite("Subscription and delivery admin API")
struct SubscriptionAPITests {
    static let token = "admin-test-token"

    static func withAPI(
        allow: [String] = ["127.0.0.0/8"],
        _ body: @escaping @Sendable (any TestClientProtocol, Database) async throws -> Void
    ) async throws {
        try await TestDatabase.withFreshDatabase { database in
            var settings = WebhookSettings()
            settings.allowDestinations = allow
            settings.secretRotationOverlap = .seconds(3600)
            let router = Router(context: BridgeRequestContext.self)
            router.add(middleware: ProblemMiddleware())
            let group = router.group("v1").add(middleware: AdminAuthMiddleware(token: token))
            let resolver = StaticHostResolver(
                ["hooks.example.com": [IPAddress("93.184.216.34")!], "intranet.example.com": [IPAddress("10.0.0.8")!]],
                fallback: nil)
            SubscriptionsController(database: database, settings: settings, resolver: resolver).addRoutes(to: group)
            DeliveriesController(database: database).addRoutes(to: group)
            var logger = Logger(label: "subscription-api-test")
            logger.logLevel = .critical
            try await Application(router: router, logger: logger).test(.router) { client in
                try await body(client, database)
            }
        }
    }

    @Test("create returns 201 with a generated whsec_ secret; list hides secrets; read one shows it")
    func createAndRead() async throws {
        try await Self.withAPI { client, _ in
            let created = try await client.call(
                .post, "/v1/subscriptions",
                #"{"url":"https://hooks.example.com/bridge","eventTypes":["booking.confirmed","booking.*"],"sources":["web"],"description":"CRM"}"#
            )
            #expect(created.status == .created)
            let object = created.object
            let secret = try #require(object["secret"] as? String)
            #expect(secret.hasPrefix("whsec_"))
            #expect(Data(base64Encoded: String(secret.dropFirst(6)))?.count == 32)
            let id = try #require(object["id"] as? String)
            #expect(created.headers[.location] == "/v1/subscriptions/\(id)")
            #expect(object["enabled"] as? Bool == true)
            #expect(object["sources"] as? [String] == ["web"])
            let list = try await client.call(.get, "/v1/subscriptions")
            let entries = try #require(list.object["data"] as? [[String: Any]])
            #expect(entries.count == 1)
            #expect(entries[0]["secret"] == nil)
            let one = try await client.call(.get, "/v1/subscriptions/\(id)")
            #expect(one.object["secret"] as? String == secret)
            let unknown = try await client.call(.get, "/v1/subscriptions/\(UUID())")
            #expect(unknown.status == .notFound)
            let unauthorized = try await client.execute(uri: "/v1/subscriptions", method: .get)
            #expect(unauthorized.status == .unauthorized)
        }
    }

    @Test("bad input answers 422 with a field error for each problem")
    func validation() async throws {
        try await Self.withAPI { client, _ in
            let cases: [(String, String)] = [
                (#"{"url":"http://hooks.example.com/x","eventTypes":["booking.*"]}"#, "url"),
                (#"{"url":"https://intranet.example.com/x","eventTypes":["booking.*"]}"#, "url"),
                (#"{"url":"https://169.254.169.254/latest","eventTypes":["booking.*"]}"#, "url"),
                (#"{"url":"ftp://hooks.example.com/x"}"#, "url"),
                (#"{"eventTypes":["booking.*"]}"#, "url"),
                (#"{"url":"https://hooks.example.com/x","eventTypes":[]}"#, "eventTypes"),
                (#"{"url":"https://hooks.example.com/x","eventTypes":["booking.cancelled"]}"#, "eventTypes[0]"),
                (#"{"url":"https://hooks.example.com/x","secret":"whsec_short"}"#, "secret"),
                (#"{"url":"https://hooks.example.com/x","sources":[]}"#, "sources"),
                (#"{"url":"https://hooks.example.com/x","maxPerSecond":0}"#, "maxPerSecond"),
                (#"{"url":42}"#, "url"),
            ]
            for (body, field) in cases {
                let answer = try await client.call(.post, "/v1/subscriptions", body)
                #expect(answer.status == .unprocessableContent, "\(body)")
                #expect(answer.headers[.contentType] == "application/problem+json")
                #expect(answer.fieldErrors.keys.contains(field), "\(body): \(answer.fieldErrors)")
            }
            let notJSON = try await client.call(.post, "/v1/subscriptions", "{nope")
            #expect(notJSON.status == .badRequest)
            // Plain http is fine to an allowed destination.
            let local = try await client.call(.post, "/v1/subscriptions", #"{"url":"http://127.0.0.1:9/x"}"#)
            #expect(local.status == .created)
        }
    }

    @Test("PATCH changes fields, clears sources with null, and disabling is recorded as manual")
    func patch() async throws {
        try await Self.withAPI { client, _ in
            let created = try await client.call(
                .post, "/v1/subscriptions", #"{"url":"https://hooks.example.com/a","sources":["web"]}"#)
            let id = try #require(created.object["id"] as? String)
            let changed = try await client.call(
                .patch, "/v1/subscriptions/\(id)",
                #"{"eventTypes":["booking.failed"],"sources":null,"description":"ops","enabled":false}"#)
            #expect(changed.status == .ok)
            #expect(changed.object["eventTypes"] as? [String] == ["booking.failed"])
            #expect(changed.object["sources"] == nil)
            #expect(changed.object["description"] as? String == "ops")
            #expect(changed.object["enabled"] as? Bool == false)
            #expect(changed.object["disabledReason"] as? String == "manual")
            let enabled = try await client.call(.patch, "/v1/subscriptions/\(id)", #"{"enabled":true}"#)
            #expect(enabled.object["enabled"] as? Bool == true)
            #expect(enabled.object["disabledReason"] == nil)
            #expect(enabled.object["description"] as? String == "ops")
            let bad = try await client.call(.patch, "/v1/subscriptions/\(id)", #"{"url":"http://hooks.example.com/"}"#)
            #expect(bad.status == .unprocessableContent)
            let deleted = try await client.call(.delete, "/v1/subscriptions/\(id)")
            #expect(deleted.status == .noContent)
            #expect(try await client.call(.delete, "/v1/subscriptions/\(id)").status == .notFound)
        }
    }

    @Test("rotate-secret installs a new secret and keeps the old one signing for the overlap")
    func rotate() async throws {
        try await Self.withAPI { client, database in
            let created = try await client.call(.post, "/v1/subscriptions", #"{"url":"https://hooks.example.com/a"}"#)
            let id = try #require(created.object["id"] as? String)
            let old = try #require(created.object["secret"] as? String)
            let rotated = try await client.call(.post, "/v1/subscriptions/\(id)/rotate-secret")
            #expect(rotated.status == .ok)
            let new = try #require(rotated.object["secret"] as? String)
            #expect(new != old && new.hasPrefix("whsec_"))
            #expect(rotated.object["previousSecretExpiresAt"] is String)
            let stored = try #require(try await SubscriptionStore(database: database).find(id: UUID(uuidString: id)!))
            #expect(try stored.signingSecrets(now: Date()).map(\.text) == [new, old])
            #expect(try stored.signingSecrets(now: Date().addingTimeInterval(3700)).map(\.text) == [new])
            let chosen = StandardWebhooks.Secret.generate().text
            let explicit = try await client.call(
                .post, "/v1/subscriptions/\(id)/rotate-secret", #"{"secret":"\#(chosen)"}"#)
            #expect(explicit.object["secret"] as? String == chosen)
        }
    }

    @Test("deliveries are listed with filters, redelivered, and recovered since a time")
    func deliveries() async throws {
        try await Self.withAPI { client, database in
            let created = try await client.call(.post, "/v1/subscriptions", #"{"url":"https://hooks.example.com/a"}"#)
            let subscription = try #require(created.object["id"] as? String)
            let logger = database.logger
            var events: [String] = []
            for _ in 0..<3 {
                let id = try await database.client.withTransaction(logger: logger) { connection in
                    try await Outbox.enqueue(
                        type: "booking.failed", data: ["reason": "x"], source: "web", intentID: nil, on: connection,
                        logger: logger)
                }
                events.append(id)
            }
            try await database.client.query(
                "UPDATE deliveries SET status = 'failed' WHERE event_id = ANY(\([events[0], events[1]]))",
                logger: logger)
            let all = try await client.call(.get, "/v1/deliveries?subscription=\(subscription)")
            #expect((all.object["data"] as? [[String: Any]])?.count == 3)
            let failed = try await client.call(.get, "/v1/deliveries?status=failed&limit=1")
            let page = try #require(failed.object["data"] as? [[String: Any]])
            #expect(page.count == 1)
            let cursor = try #require(failed.object["nextCursor"] as? String)
            let next = try await client.call(.get, "/v1/deliveries?status=failed&limit=1&cursor=\(cursor)")
            #expect((next.object["data"] as? [[String: Any]])?.count == 1)
            let byEvent = try await client.call(.get, "/v1/deliveries?event=\(events[2])")
            let one = try #require((byEvent.object["data"] as? [[String: Any]])?.first)
            #expect(one["eventId"] as? String == events[2])
            #expect(one["status"] as? String == "pending")
            #expect(try await client.call(.get, "/v1/deliveries?status=bogus").status == .badRequest)

            let deliveryID = try #require(page.first?["id"] as? Int)
            let redelivered = try await client.call(.post, "/v1/deliveries/\(deliveryID)/redeliver")
            #expect(redelivered.status == .accepted)
            #expect(redelivered.object["status"] as? String == "pending")
            #expect(try await client.call(.post, "/v1/deliveries/999999/redeliver").status == .notFound)
            let detail = try await client.call(.get, "/v1/deliveries/\(deliveryID)")
            #expect(detail.object["attempts"] is [Any])

            let recovered = try await client.call(
                .post,
                "/v1/subscriptions/\(subscription)/recover?since=\(Date().addingTimeInterval(-60).ISO8601Format())")
            #expect(recovered.status == .accepted)
            #expect(recovered.object["requeued"] as? Int == 1)
            let none = try await client.call(
                .post,
                "/v1/subscriptions/\(subscription)/recover?since=\(Date().addingTimeInterval(60).ISO8601Format())")
            #expect(none.object["requeued"] as? Int == 0)
            #expect(
                try await client.call(.post, "/v1/subscriptions/\(subscription)/recover?since=yesterday").status
                    == .badRequest)
        }
    }
}

extension TestClientProtocol {
    /// An admin call with an optional JSON body.
    func call(_ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [.authorization: "Bearer \(SubscriptionAPITests.token)"]
        if body != nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }
}

extension TestResponse {
    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    }
}
