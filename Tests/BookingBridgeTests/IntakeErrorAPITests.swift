import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import BookingBridge

@Suite("POST /v1/intake/{source}: refusals and signed sources")
struct IntakeErrorAPITests {
    static let origin = IntakeAPITests.origin
    static let partner = IntakeAPITests.partner
    static let valid = #"{"email":"ada@example.org","firstName":"Ada","startTime":"2026-12-01T09:00:00Z"}"#

    static func signed(
        _ body: String, id: String, at timestamp: Int64? = nil,
        secrets: [StandardWebhooks.Secret] = [TestIntakeApp.hmacSecret]
    ) -> HTTPFields {
        let t = timestamp ?? Int64(TestIntakeApp.now.timeIntervalSince1970)
        return [
            .webhookID: id, .webhookTimestamp: String(t),
            .webhookSignature: StandardWebhooks.signatureHeader(
                id: id, timestamp: t, body: Array(body.utf8), secrets: secrets),
        ]
    }

    @Test func eachRefusalIsAProblem() async throws {
        var small = TestIntakeApp.roomySettings
        small.maxBodyBytes = 1024
        try await TestIntakeApp.run(settings: small) { app in
            let c = app.client
            let unknown = try await c.post("nope", Self.valid)
            #expect(unknown.status == .notFound)
            #expect(unknown.isProblem)

            let noToken = try await c.post("partner", Self.valid)
            #expect(noToken.status == .unauthorized)
            #expect(noToken.isProblem)
            #expect(noToken.headers[.wwwAuthenticate] == "Bearer")
            let wrongToken = try await c.post("partner", Self.valid, headers: [.authorization: "Bearer nope"])
            #expect(wrongToken.status == .unauthorized)

            let evil = try await c.post(
                "website", IntakeAPITests.websiteJSON, headers: [.origin: "https://evil.example"])
            #expect(evil.status == .forbidden)
            #expect(evil.isProblem)
            #expect(evil.headers[.accessControlAllowOrigin] == nil)

            let big = try await c.post(
                "partner", String(repeating: " ", count: 1025) + Self.valid, headers: Self.partner)
            #expect(big.status == .contentTooLarge)
            #expect(big.isProblem)

            let xml = try await c.post("partner", "<a/>", contentType: "application/xml", headers: Self.partner)
            #expect(xml.status == .unsupportedMediaType)
            #expect(xml.isProblem)
            let none = try await c.post("partner", Self.valid, contentType: nil, headers: Self.partner)
            #expect(none.status == .unsupportedMediaType)

            let broken = try await c.post("partner", #"{"email":"#, headers: Self.partner)
            #expect(broken.status == .badRequest)
            #expect(broken.isProblem)

            let invalid = try await c.post(
                "website",
                #"{"email":"nope","name":"","slot":"2026-11-25T10:00:00Z","length":"-5","tz":"Nowhere/City"}"#,
                headers: Self.origin)
            #expect(invalid.status == .unprocessableContent)
            #expect(invalid.isProblem)
            #expect(invalid.headers[.accessControlAllowOrigin] == "https://www.example.org")
            #expect(Set(invalid.fieldErrors.keys) == ["email", "first_name", "slot", "length", "tz"])

            let nul = try await c.post(
                "partner", #"{"email":"ada@example.org","firstName":"A\u0000","startTime":"2026-12-01T09:00:00Z"}"#,
                headers: Self.partner)
            #expect(nul.status == .unprocessableContent)
            #expect(nul.fieldErrors["firstName"] == "must not contain NUL characters")

            let badKey = try await c.post(
                "partner", Self.valid,
                headers: Self.partner.merging([.idempotencyKey: String(repeating: "k", count: 300)]))
            #expect(badKey.status == .badRequest)

            #expect(try await TestIntakeApp.count(app.database) == 0)
        }
    }

    @Test func sourceRateLimit() async throws {
        try await TestIntakeApp.run { app in
            let headers: HTTPFields = [.authorization: "Bearer tiny-token"]
            let started = ContinuousClock.now
            #expect(try await app.client.post("tiny", Self.valid, headers: headers).status == .accepted)
            #expect(try await app.client.post("tiny", Self.valid, headers: headers).status == .accepted)
            let limited = try await app.client.post("tiny", Self.valid, headers: headers)
            let elapsed = (ContinuousClock.now - started).seconds
            #expect(limited.status == .tooManyRequests)
            #expect(limited.isProblem)
            // 2 a minute: the next token comes 30 s after the first post, less the time the posts took (a loaded
            // machine can take seconds for them).
            let retryAfter = try #require(limited.headers[.retryAfter].flatMap { Int($0) })
            #expect(
                retryAfter <= 30 && Double(retryAfter) >= (30 - elapsed).rounded(.up),
                "\(retryAfter) after \(elapsed) s")
        }
    }

    @Test func clientRateLimit() async throws {
        var settings = TestIntakeApp.roomySettings
        settings.rateLimitPerClientPerMinute = 3
        try await TestIntakeApp.run(.live, settings: settings) { app in
            for _ in 0..<3 {
                #expect(try await app.client.post("partner", Self.valid, headers: Self.partner).status == .accepted)
            }
            let limited = try await app.client.post("partner", Self.valid, headers: Self.partner)
            #expect(limited.status == .tooManyRequests)
            #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 >= 1)
            let stored = try await app.client.intent(
                try await app.client.admin("/v1/intents?source=partner&limit=1").json["intents"].flatMap {
                    ($0 as? [[String: Any]])?.first?["id"] as? String
                })
            #expect(stored.received.clientIp == "127.0.0.1")
        }
    }

    @Test func signedWebhooks() async throws {
        try await TestIntakeApp.run { app in
            let body = #"{"email":"ada@example.org","firstName":"Ada","start":"2026-12-01T09:00:00-05:00"}"#
            let first = try await app.client.post("typeform", body, headers: Self.signed(body, id: "msg_1"))
            #expect(first.status == .accepted)
            // A replay within the tolerance is the same webhook-id: the first intent comes back.
            let replay = try await app.client.post("typeform", body, headers: Self.signed(body, id: "msg_1"))
            #expect(replay.status == .ok)
            #expect(replay.json["id"] as? String == first.json["id"] as? String)
            // A sender rotating keys sends several signatures.
            let rotated = try await app.client.post(
                "typeform", body,
                headers: Self.signed(
                    body, id: "msg_2",
                    secrets: [StandardWebhooks.Secret(key: Array(repeating: 1, count: 32)), TestIntakeApp.hmacSecret]))
            #expect(rotated.status == .accepted)

            let wrong = try await app.client.post(
                "typeform", body,
                headers: Self.signed(
                    body, id: "msg_3", secrets: [StandardWebhooks.Secret(key: Array(repeating: 1, count: 32))]))
            #expect(wrong.status == .unauthorized)
            #expect(wrong.isProblem)
            let tampered = try await app.client.post("typeform", body + " ", headers: Self.signed(body, id: "msg_4"))
            #expect(tampered.status == .unauthorized)
            let stale = try await app.client.post(
                "typeform", body,
                headers: Self.signed(body, id: "msg_5", at: Int64(TestIntakeApp.now.timeIntervalSince1970) - 301))
            #expect(stale.status == .unauthorized)
            #expect((stale.json["detail"] as? String)?.contains("too old") == true)
            let unsigned = try await app.client.post("typeform", body)
            #expect(unsigned.status == .unauthorized)

            #expect(try await TestIntakeApp.count(app.database) == 2)
            let stored = try await app.client.intent(first.json["id"] as? String)
            #expect(stored.idempotencyKey == "webhook:msg_1")
            #expect(stored.request.startTime == Date(iso: "2026-12-01T14:00:00Z"))
            #expect(stored.request.timezone == "America/New_York")
        }
    }
}
