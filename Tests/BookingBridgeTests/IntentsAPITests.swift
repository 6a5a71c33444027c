import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing

@testable import BookingBridge

@Suite("GET /v1/intents")
struct IntentsAPITests {
    static func post(_ client: any TestClientProtocol, email: String, source: String = "partner") async throws -> String
    {
        let headers: HTTPFields =
            source == "partner" ? [.authorization: "Bearer partner-token"] : [.authorization: "Bearer tiny-token"]
        let response = try await client.post(
            source, #"{"email":"\#(email)","firstName":"A","startTime":"2026-12-01T09:00:00Z"}"#, headers: headers)
        try #require(response.status == .accepted)
        return try #require(response.json["id"] as? String)
    }

    @Test func detailShowsAttemptsBookingAndDeliveries() async throws {
        try await TestIntakeApp.run { app in
            let id = try await Self.post(app.client, email: "ada@example.org")
            let uuid = try #require(UUID(uuidString: id))
            let db = app.database
            try await db.client.query(
                """
                INSERT INTO attempts (intent_id, stage, outcome, http_status, correlation_id, error)
                VALUES (\(uuid), 'book', 'retryable', 503, 'corr-1', '{"message":"busy"}'::jsonb)
                """, logger: db.logger)
            try await db.client.query(
                """
                INSERT INTO bookings (intent_id, slug, start_time, calendar_event_id, is_offline, response)
                VALUES (\(uuid), 'jane-doe/partner', now(), 'evt-1', false, '{"calendarEventId":"evt-1"}'::jsonb)
                """, logger: db.logger)
            let stored = try await app.client.intent(id)
            #expect(stored.attempts.count == 1)
            #expect(stored.attempts.first?.httpStatus == 503)
            #expect(stored.attempts.first?.correlationId == "corr-1")
            #expect(stored.booking?.calendarEventId == "evt-1")
            #expect(stored.booking?.isOffline == false)
            let hasWebhookTables =
                try await TestIntakeApp.count(
                    db, "SELECT count(*) FROM pg_tables WHERE tablename IN ('events', 'deliveries', 'subscriptions')")
                == 3
            if hasWebhookTables {
                let subscription = UUID()
                try await db.client.query(
                    """
                    INSERT INTO subscriptions (id, url, event_types, secret)
                    VALUES (\(subscription), 'http://127.0.0.1:9/hook', ARRAY['booking.*'], 'whsec_x')
                    """, logger: db.logger)
                try await db.client.query(
                    """
                    INSERT INTO events (id, type, intent_id, body) VALUES ('evt_1', 'booking.confirmed', \(uuid), '{}')
                    """, logger: db.logger)
                try await db.client.query(
                    "INSERT INTO deliveries (event_id, subscription_id) VALUES ('evt_1', \(subscription))",
                    logger: db.logger)
                let again = try await app.client.intent(id)
                #expect(again.deliveries?.count == 1)
                #expect(again.deliveries?.first?.eventType == "booking.confirmed")
                #expect(again.deliveries?.first?.status == "pending")
            } else {
                #expect(stored.deliveries == nil)
            }
        }
    }

    @Test func adminOnlyAndProblems() async throws {
        try await TestIntakeApp.run { app in
            let id = try await Self.post(app.client, email: "ada@example.org")
            let anonymous = try await app.client.execute(uri: "/v1/intents/\(id)", method: .get)
            #expect(anonymous.status == .unauthorized)
            #expect(try await app.client.admin("/v1/intents/\(UUID())").status == .notFound)
            let bad = try await app.client.admin("/v1/intents/not-a-uuid")
            #expect(bad.status == .badRequest)
            #expect(bad.isProblem)
            let params = try await app.client.admin("/v1/intents?status=lost&limit=0&cursor=%%%")
            #expect(params.status == .badRequest)
            #expect(Set(params.fieldErrors.keys) == ["status", "limit", "cursor"])
            #expect(try await app.client.execute(uri: "/v1/intents", method: .get).status == .unauthorized)
        }
    }

    @Test func listFiltersAndPages() async throws {
        try await TestIntakeApp.run { app in
            var partnerIDs: [String] = []
            for n in 0..<7 { partnerIDs.append(try await Self.post(app.client, email: "p\(n)@example.org")) }
            let tinyID = try await Self.post(app.client, email: "t@example.org", source: "tiny")
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let uri = "/v1/intents?source=partner&status=received&limit=3" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await app.client.admin(uri)
                #expect(page.status == .ok)
                let intents = page.json["intents"] as? [[String: Any]] ?? []
                seen += intents.compactMap { $0["id"] as? String }
                cursor = page.json["nextCursor"] as? String
                pages += 1
            } while cursor != nil && pages < 10
            #expect(pages == 3)
            #expect(seen == partnerIDs.reversed())
            let all = try await app.client.admin("/v1/intents")
            #expect((all.json["intents"] as? [[String: Any]])?.first?["id"] as? String == tinyID)
            #expect((all.json["intents"] as? [[String: Any]])?.count == 8)
            let spam = try await app.client.admin("/v1/intents?status=spam")
            #expect((spam.json["intents"] as? [[String: Any]])?.isEmpty == true)
        }
    }
}
