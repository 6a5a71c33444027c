import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing

@testable import BookingBridge

/// What an outsider can do to intake with posts it may send: replay a signed post, claim a person's slot first,
/// or use up a source's rate limit with refused posts. Each test fails without the protection it names.
@Suite("POST /v1/intake/{source}: replays, repeats and refused posts")
struct IntakeAbuseTests {
    static let origin = IntakeAPITests.origin
    static let valid = IntakeErrorAPITests.valid

    @Test("a captured signed post sent again with a new unsigned Idempotency-Key gets its first intent back")
    func signedReplayWithNewIdempotencyKey() async throws {
        try await TestIntakeApp.run { app in
            let body = #"{"email":"ada@example.org","firstName":"Ada","start":"2026-12-01T09:00:00-05:00"}"#
            let signed = IntakeErrorAPITests.signed(body, id: "msg_1")
            let first = try await app.client.post(
                "typeform", body, headers: signed.merging([.idempotencyKey: "first"]))
            #expect(first.status == .accepted)
            for key in ["second", "third", "fourth"] {
                let replay = try await app.client.post(
                    "typeform", body, headers: signed.merging([.idempotencyKey: key]))
                #expect(replay.status == .ok)
                #expect(replay.json["id"] as? String == first.json["id"] as? String)
            }
            #expect(try await TestIntakeApp.count(app.database) == 1)
            #expect(try await app.client.intent(first.json["id"] as? String).idempotencyKey == "webhook:msg_1")
        }
    }

    static func post(_ app: TestIntakeApp.Context, _ body: String) async throws -> (HTTPResponse.Status, String?) {
        let response = try await app.client.post("website", body, headers: Self.origin)
        return (response.status, response.json["id"] as? String)
    }

    static let request =
        #"{"email":"ada@example.org","name":"Ada Lovelace","slot":"2026-12-01T10:00:00+01:00"}"#

    @Test("a public form's repeat within 10 minutes gets the first intent, after 10 minutes a new one")
    func repeatWindowIsTenMinutesOfSubmissionTime() async throws {
        try await TestIntakeApp.run { app in
            let (status, first) = try await Self.post(app, Self.request)
            #expect(status == .accepted)
            // The same request in another e-mail case is the same request.
            let (repeatStatus, repeated) = try await Self.post(
                app, Self.request.replacingOccurrences(of: "ada@", with: "ADA@"))
            #expect(repeatStatus == .ok)
            #expect(repeated == first)
            // Nine minutes later it still is; a booked intent still is.
            try await Self.age(app.database, minutes: 9)
            try await app.database.client.query("UPDATE intents SET status = 'booked', finished_at = now()")
            #expect(try await Self.post(app, Self.request) == (.ok, first))
            // Eleven minutes after the first post it is a new request.
            try await Self.age(app.database, minutes: 2)
            let (laterStatus, later) = try await Self.post(app, Self.request)
            #expect(laterStatus == .accepted)
            #expect(later != first)
            // The new intent opened its own window.
            #expect(try await Self.post(app, Self.request) == (.ok, later))
            #expect(try await TestIntakeApp.count(app.database) == 2)
        }
    }

    @Test("posting a person's e-mail first with an unbookable duration does not swallow their real request")
    func firstPostCannotClaimAVictimsSlot() async throws {
        try await TestIntakeApp.run { app in
            let attack = Self.request.replacingOccurrences(of: "}", with: #","length":"999"}"#)
            let (attackStatus, attackID) = try await Self.post(app, attack)
            #expect(attackStatus == .accepted)
            // While the attacker's intent is pending, the real request (another duration) is another intent.
            let (realStatus, realID) = try await Self.post(app, Self.request)
            #expect(realStatus == .accepted)
            #expect(realID != attackID)
            // The attacker's intent ends failed (HubSpot has no 999-minute meeting); a repeat of exactly that
            // request is then a new try, not the failed intent.
            try await app.database.client.query(
                "UPDATE intents SET status = 'failed', finished_at = now() WHERE id = \(UUID(uuidString: attackID ?? "")!)"
            )
            let (retryStatus, retryID) = try await Self.post(app, attack)
            #expect(retryStatus == .accepted)
            #expect(retryID != attackID)
            // And the person's double click still finds their own intent.
            #expect(try await Self.post(app, Self.request) == (.ok, realID))
            #expect(try await TestIntakeApp.count(app.database) == 3)
        }
    }

    @Test("concurrent repeats of one request (a double click) create one intent")
    func concurrentRepeatsCreateOneIntent() async throws {
        try await TestIntakeApp.run(.live) { app in
            let ids = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<8 { group.addTask { try await Self.post(app, Self.request).1 } }
                var ids: Set<String?> = []
                for try await id in group { ids.insert(id) }
                return ids
            }
            #expect(ids.count == 1)
            #expect(try await TestIntakeApp.count(app.database) == 1)
        }
    }

    /// Moves every intent's submission time `minutes` into the past.
    static func age(_ database: Database, minutes: Int) async throws {
        try await database.client.query(
            "UPDATE intents SET created_at = created_at - \(minutes) * interval '1 minute'")
    }

    @Test("refused posts (wrong token, signature or origin) do not use up a source's rate limit")
    func refusedPostsDoNotCountAgainstTheSource() async throws {
        try await TestIntakeApp.run { app in
            let c = app.client
            for attempt in 0..<10 {
                let token = try await c.post("tiny", Self.valid, headers: [.authorization: "Bearer wrong-\(attempt)"])
                #expect(token.status == .unauthorized)
                let signature = try await c.post(
                    "tinyhook", Self.valid,
                    headers: IntakeErrorAPITests.signed(
                        Self.valid, id: "msg_\(attempt)",
                        secrets: [StandardWebhooks.Secret(key: Array(repeating: 1, count: 32))]))
                #expect(signature.status == .unauthorized)
                let origin = try await c.post("tinyform", Self.valid, headers: [.origin: "https://evil.example"])
                #expect(origin.status == .forbidden)
            }
            #expect(
                try await c.post("tiny", Self.valid, headers: [.authorization: "Bearer tiny-token"]).status == .accepted
            )
            #expect(
                try await c.post("tinyhook", Self.valid, headers: IntakeErrorAPITests.signed(Self.valid, id: "real"))
                    .status == .accepted)
            #expect(try await c.post("tinyform", Self.valid, headers: Self.origin).status == .accepted)
            // Authenticated posts still count: the limit of 2 a minute holds for the real sender.
            #expect(
                try await c.post("tiny", Self.valid, headers: [.authorization: "Bearer tiny-token"]).status == .accepted
            )
            #expect(
                try await c.post("tiny", Self.valid, headers: [.authorization: "Bearer tiny-token"]).status
                    == .tooManyRequests)
            #expect(try await TestIntakeApp.count(app.database) == 4)
        }
    }
}
