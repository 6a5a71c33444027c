import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import Testing

@testable import BookingBridge

/// Admin input that PostgreSQL would refuse (a NUL, a time out of its range) is answered 400/422 problem+json
/// naming the field, never 500, and changes nothing.
@Suite("Admin API: input PostgreSQL would refuse")
struct AdminInputTests {
    static func withAPI(
        _ body: @escaping @Sendable (any TestClientProtocol, Database) async throws -> Void
    )
        async throws
    {
        try await TestDatabase.withFreshDatabase { database in
            var settings = WebhookSettings()
            settings.allowDestinations = ["127.0.0.0/8"]
            let router = Router(context: BridgeRequestContext.self)
            router.add(middleware: ProblemMiddleware())
            let group = router.group("v1").add(middleware: AdminAuthMiddleware(token: SubscriptionAPITests.token))
            let resolver = StaticHostResolver(["hooks.example.com": [IPAddress("93.184.216.34")!]], fallback: nil)
            SubscriptionsController(database: database, settings: settings, resolver: resolver).addRoutes(to: group)
            DeliveriesController(database: database).addRoutes(to: group)
            IntentsController(database: database).addRoutes(to: group)
            IntentActionsController(database: database, wake: {}).addRoutes(to: group)
            var logger = Logger(label: "admin-input-test")
            logger.logLevel = .critical
            try await Application(router: router, logger: logger).test(.router) { client in
                try await body(client, database)
            }
        }
    }

    /// Base64url without padding, as the API writes cursors.
    static func cursor(_ plain: String) -> String { cursor(Array(plain.utf8)) }

    static func cursor(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func expectRefusal(
        _ response: TestResponse, field: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(
            response.status == .badRequest || response.status == .unprocessableContent,
            "\(response.status) \(String(buffer: response.body))", sourceLocation: sourceLocation)
        #expect(response.isProblem, sourceLocation: sourceLocation)
        #expect(
            response.fieldErrors[field] != nil, "\(field) in \(String(buffer: response.body))",
            sourceLocation: sourceLocation)
    }

    @Test("a tampered list cursor is a 400 naming the cursor")
    func tamperedCursors() async throws {
        try await Self.withAPI { client, _ in
            let id = UUID().uuidString.lowercased()
            let intentCursors = [
                Self.cursor("v1:-9223372036854775808:\(id)"), Self.cursor("v1:9223372036854775807:\(id)"),
                Self.cursor("v1:-210866803200000001:\(id)"), Self.cursor("v1:9000000000000000000:\(id)"),
                Self.cursor("v1:12:not-a-uuid"), Self.cursor("v2:12:\(id)"), Self.cursor([0xFF, 0xFE, 0x00, 0x41]),
                Self.cursor("v1:1\u{0}:\(id)"), "!!!!", "%00", "a", String(repeating: "A", count: 300),
            ]
            for cursor in intentCursors {
                let encoded = cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? cursor
                Self.expectRefusal(try await client.call(.get, "/v1/intents?cursor=\(encoded)"), field: "cursor")
            }
            // A cursor this API wrote still works.
            let valid = IntentListCursor.encode(.init(createdAtMicros: 1_800_000_000_000_000, id: UUID()))
            #expect(try await client.call(.get, "/v1/intents?cursor=\(valid)").status == .ok)
            for cursor in ["-9223372036854775808", "-1", "99999999999999999999", "1e5", "%00", "abc"] {
                Self.expectRefusal(try await client.call(.get, "/v1/deliveries?cursor=\(cursor)"), field: "cursor")
            }
            #expect(try await client.call(.get, "/v1/deliveries?cursor=9223372036854775807").status == .ok)
        }
    }

    @Test("a NUL in a subscription's URL is a 422 naming the url, on create and on PATCH")
    func nulInSubscriptionURL() async throws {
        try await Self.withAPI { client, database in
            for url in [
                #"https://hooks.example.com/a\u0000b"#, #"https://hooks.example.com/a?b=\u0000"#,
                #"https://hooks.example.com\u0000/a"#, #"https://hooks.example.com/a\u0007b"#,
            ] {
                Self.expectRefusal(
                    try await client.call(.post, "/v1/subscriptions", #"{"url":"\#(url)"}"#), field: "url")
            }
            #expect(try await TestIntakeApp.count(database, "SELECT count(*) FROM subscriptions") == 0)
            let created = try await client.call(.post, "/v1/subscriptions", #"{"url":"https://hooks.example.com/a"}"#)
            #expect(created.status == .created)
            let id = try #require(created.object["id"] as? String)
            let patched = try await client.call(
                .patch, "/v1/subscriptions/\(id)", #"{"url":"https://hooks.example.com/b\u0000"}"#)
            Self.expectRefusal(patched, field: "url")
            let stored = try await client.call(.get, "/v1/subscriptions/\(id)")
            #expect(stored.object["url"] as? String == "https://hooks.example.com/a")
        }
    }

    @Test("a NUL or an over-long value in resolve's fields is a 422 naming the field; the intent stays as it was")
    func nulInResolve() async throws {
        try await Self.withAPI { client, database in
            let store = IntentStore(database: database)
            let intent = NewIntent(
                source: "web", idempotencyKey: "key:resolve",
                raw: RawSubmission(contentType: "application/json", fields: [:]),
                request: IntakeAuthTests.request)
            _ = try await store.insert(intent)
            try await database.client.query(
                "UPDATE intents SET status = 'needs_review', uncertain = true WHERE id = \(intent.id)")
            let bodies: [(String, String)] = [
                (#"{"status":"failed","reason":"gone\u0000"}"#, "reason"),
                (#"{"status":"booked","calendarEventId":"ev\u0000","contactId":"c1"}"#, "calendarEventId"),
                (#"{"status":"booked","calendarEventId":"ev1","contactId":"\u0000"}"#, "contactId"),
                (#"{"status":"booked","calendarEventId":"\#(String(repeating: "e", count: 600))"}"#, "calendarEventId"),
                (#"{"status":"fail\u0000ed"}"#, "status"),
                (#"{"status":"failed","reason":12}"#, "reason"),
            ]
            for (body, field) in bodies {
                Self.expectRefusal(try await client.call(.post, "/v1/intents/\(intent.id)/resolve", body), field: field)
            }
            let stored = try #require(try await store.find(id: intent.id))
            #expect(stored.status == .needsReview)
            #expect(try await TestIntakeApp.count(database, "SELECT count(*) FROM events") == 0)
            #expect(try await TestIntakeApp.count(database, "SELECT count(*) FROM bookings") == 0)
            // A body over the limit is refused as too large.
            let huge = #"{"status":"failed","reason":""# + String(repeating: "r", count: 70_000) + #""}"#
            let tooLarge = try await client.call(.post, "/v1/intents/\(intent.id)/resolve", huge)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(tooLarge.isProblem)
            #expect(try await client.call(.post, "/v1/subscriptions", huge).status == .contentTooLarge)
            // A well-formed resolution still works.
            let resolved = try await client.call(
                .post, "/v1/intents/\(intent.id)/resolve", #"{"status":"failed","reason":"no meeting in HubSpot"}"#)
            #expect(resolved.status == .ok)
        }
    }
}
