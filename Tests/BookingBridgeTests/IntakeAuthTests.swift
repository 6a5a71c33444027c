import Foundation
import HTTPTypes
import Testing

@testable import BookingBridge

@Suite("Intake source auth, idempotency keys, negotiation and rate limits")
struct IntakeAuthTests {
    func code(_ body: () throws -> Void) -> IntakeError.Code? {
        do {
            try body()
            return nil
        } catch {
            return (error as? IntakeError)?.code
        }
    }

    @Test func originPolicy() {
        let policy = OriginPolicy(["https://www.example.org", "HTTP://localhost:3000/"])
        #expect(policy.allows(origin: "https://www.example.org", referer: nil))
        #expect(policy.allows(origin: "https://WWW.example.org:443", referer: nil))
        #expect(policy.allows(origin: "http://localhost:3000", referer: nil))
        #expect(!policy.allows(origin: "https://evil.example", referer: nil))
        #expect(!policy.allows(origin: "null", referer: nil))
        #expect(!policy.allows(origin: nil, referer: nil))
        #expect(policy.allows(origin: nil, referer: "https://www.example.org/contact?x=1"))
        #expect(!policy.allows(origin: "https://evil.example", referer: "https://www.example.org/"))
        #expect(OriginPolicy([]).allows(origin: nil, referer: nil))
        #expect(OriginPolicy(["*"]).allows(origin: "https://any.example", referer: nil))
    }

    @Test func publicSourceChecksOrigin() {
        let auth = SourceAuth(.public(allowedOrigins: ["https://www.example.org"], honeypotField: "hp"))
        #expect(auth.honeypotField == "hp")
        #expect(code { try auth.checkHeaders([.origin: "https://www.example.org"]) } == nil)
        #expect(code { try auth.checkHeaders([.origin: "https://evil.example"]) } == .forbidden)
        #expect(code { try auth.checkHeaders([:]) } == .forbidden)
    }

    @Test func tokenSourceChecksBearer() {
        let auth = SourceAuth(.token("s3cret-token"))
        #expect(code { try auth.checkHeaders([.authorization: "Bearer s3cret-token"]) } == nil)
        #expect(code { try auth.checkHeaders([.authorization: "bearer s3cret-token"]) } == nil)
        #expect(code { try auth.checkHeaders([.authorization: "Bearer s3cret-tokeN"]) } == .unauthorized)
        #expect(code { try auth.checkHeaders([.authorization: "Basic czNjcmV0"]) } == .unauthorized)
        #expect(code { try auth.checkHeaders([:]) } == .unauthorized)
    }

    static let secret = StandardWebhooks.Secret(key: Array(repeating: 7, count: 32))
    static let otherSecret = StandardWebhooks.Secret(key: Array(repeating: 9, count: 32))

    func signed(
        _ body: [UInt8], id: String = "msg_1", at timestamp: Int64, secrets: [StandardWebhooks.Secret]
    ) -> HTTPFields {
        [
            .webhookID: id, .webhookTimestamp: String(timestamp),
            .webhookSignature: StandardWebhooks.signatureHeader(
                id: id, timestamp: timestamp, body: body, secrets: secrets),
        ]
    }

    @Test func hmacSourceVerifiesRawBody() {
        let auth = SourceAuth(.hmac(secret: Self.secret.text))
        let body = Array(#"{"email":"a@example.org"}"#.utf8)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let t = Int64(now.timeIntervalSince1970)
        #expect(code { try auth.checkHeaders([:]) } == nil)
        #expect(
            code { try auth.checkSignature(signed(body, at: t, secrets: [Self.secret]), body: body, now: now) } == nil)
        // Several signatures (a sender rotating its key): one matching is enough.
        #expect(
            code {
                try auth.checkSignature(
                    signed(body, at: t, secrets: [Self.otherSecret, Self.secret]), body: body, now: now)
            } == nil)
        #expect(
            code { try auth.checkSignature(signed(body, at: t, secrets: [Self.otherSecret]), body: body, now: now) }
                == .unauthorized)
        #expect(
            code { try auth.checkSignature(signed(body + [32], at: t, secrets: [Self.secret]), body: body, now: now) }
                == .unauthorized)
        #expect(
            code { try auth.checkSignature(signed(body, at: t - 301, secrets: [Self.secret]), body: body, now: now) }
                == .unauthorized)
        #expect(
            code { try auth.checkSignature(signed(body, at: t - 299, secrets: [Self.secret]), body: body, now: now) }
                == nil)
        #expect(
            code { try auth.checkSignature(signed(body, at: t + 301, secrets: [Self.secret]), body: body, now: now) }
                == .unauthorized)
        #expect(code { try auth.checkSignature([:], body: body, now: now) } == .unauthorized)
    }

    @Test func misconfiguredSecretRefusesEverything() {
        let auth = SourceAuth(.hmac(secret: "not-a-secret"))
        #expect(code { try auth.checkHeaders([:]) } == .unauthorized)
    }

    static let request = BookingRequest(
        slug: "jane/intro", startTime: Date(timeIntervalSince1970: 1_800_000_000), durationMinutes: 30,
        email: "Ada@Example.org", firstName: "Ada", lastName: "-", timezone: "UTC")

    @Test func idempotencyKeys() throws {
        #expect(try IdempotencyKey.offered([.idempotencyKey: " abc "]) == "key:abc")
        #expect(try IdempotencyKey.offered([.idempotencyKey: "abc", .webhookID: "msg"]) == "key:abc")
        #expect(try IdempotencyKey.offered([.webhookID: "msg_1"]) == "webhook:msg_1")
        #expect(try IdempotencyKey.offered([:]) == nil)
        #expect(
            code { _ = try IdempotencyKey.offered([.idempotencyKey: String(repeating: "k", count: 256)]) } == .malformed
        )
        #expect(code { _ = try IdempotencyKey.offered([.idempotencyKey: "ünïcode"]) } == .malformed)
    }

    @Test("a signed source's key is its signed webhook-id; an unsigned Idempotency-Key is not used")
    func signedSourcesUseTheWebhookIDOnly() throws {
        #expect(
            try IdempotencyKey.offered([.idempotencyKey: "abc", .webhookID: "msg_1"], signed: true) == "webhook:msg_1")
        #expect(
            try IdempotencyKey.offered([.idempotencyKey: "other", .webhookID: "msg_1"], signed: true) == "webhook:msg_1"
        )
        #expect(try IdempotencyKey.offered([.idempotencyKey: "abc"], signed: true) == nil)
        #expect(code { _ = try IdempotencyKey.offered([.webhookID: "ünïcode"], signed: true) } == .malformed)
        #expect(SourceAuth(.hmac(secret: Self.secret.text)).isSigned)
        #expect(!SourceAuth(.token("t")).isSigned)
        #expect(!SourceAuth(.public(allowedOrigins: [], honeypotField: nil)).isSigned)
    }

    @Test("the fingerprint is of the whole normalized request: another duration is another request")
    func fingerprintIsOfTheWholeRequest() throws {
        let first = try #require(
            IdempotencyKey.fingerprint(source: "web", isPublic: true, request: Self.request, spam: false))
        var same = Self.request
        same.email = "ada@example.org"
        #expect(first == IdempotencyKey.fingerprint(source: "web", isPublic: true, request: same, spam: false))
        var longer = Self.request
        longer.durationMinutes = 45
        #expect(first != IdempotencyKey.fingerprint(source: "web", isPublic: true, request: longer, spam: false))
        var later = Self.request
        later.startTime = later.startTime.addingTimeInterval(60)
        #expect(first != IdempotencyKey.fingerprint(source: "web", isPublic: true, request: later, spam: false))
        var renamed = Self.request
        renamed.firstName = "Grace"
        #expect(first != IdempotencyKey.fingerprint(source: "web", isPublic: true, request: renamed, spam: false))
        #expect(
            first != IdempotencyKey.fingerprint(source: "other", isPublic: true, request: Self.request, spam: false))
        #expect(first != IdempotencyKey.fingerprint(source: "web", isPublic: true, request: Self.request, spam: true))
        #expect(IdempotencyKey.fingerprint(source: "api", isPublic: false, request: Self.request, spam: false) == nil)
        let id = UUID()
        #expect(IdempotencyKey.unique(id: id, fingerprinted: true) == "fp:" + id.uuidString.lowercased())
        #expect(
            IdempotencyKey.unique(id: id, fingerprinted: false)
                != IdempotencyKey.unique(id: UUID(), fingerprinted: false))
        #expect(IdempotencyKey.fingerprintWindow == .seconds(600))
    }

    @Test func browsersPreferHTML() {
        #expect(AcceptPreference.prefersHTML("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"))
        #expect(AcceptPreference.prefersHTML("text/html"))
        #expect(!AcceptPreference.prefersHTML("*/*"))
        #expect(!AcceptPreference.prefersHTML("application/json"))
        #expect(!AcceptPreference.prefersHTML("application/json, text/html;q=0.5"))
        #expect(!AcceptPreference.prefersHTML(nil))
        #expect(!AcceptPreference.prefersHTML("text/html;q=0"))
    }

    @Test func tokenBucket() {
        var bucket = TokenBucket(perMinute: 2, now: 0)
        #expect(bucket.wait(now: 0) == 0)
        bucket.take()
        #expect(bucket.wait(now: 0) == 0)
        bucket.take()
        #expect(abs(bucket.wait(now: 0) - 30) < 0.001)
        #expect(abs(bucket.wait(now: 20) - 10) < 0.001)
        #expect(bucket.wait(now: 30) == 0)
        #expect(!bucket.isFull(at: 30))
        #expect(bucket.isFull(at: 90))
    }

    @Test func limiterAppliesSourceAndClientLimits() {
        let limiter = IntakeRateLimiter(clientPerMinute: 3)
        for _ in 0..<3 { #expect(limiter.admit(client: "1.2.3.4", now: 0) == nil) }
        #expect(limiter.admit(client: "1.2.3.4", now: 0) == 20)
        #expect(limiter.admit(client: "5.6.7.8", now: 0) == nil)
        #expect(limiter.admit(client: "1.2.3.4", now: 20) == nil)
        #expect(limiter.admit(client: nil, now: 0) == nil)
        #expect(limiter.admit(source: "b", sourcePerMinute: 1, now: 0) == nil)
        #expect(limiter.admit(source: "b", sourcePerMinute: 1, now: 0) == 60)
        // Sources and clients are counted apart: a source's exhausted allowance leaves the client's intact.
        #expect(limiter.admit(source: "b", sourcePerMinute: 1, now: 1) != nil)
        for _ in 0..<3 { #expect(limiter.admit(client: "9.9.9.9", now: 1) == nil) }
        #expect(limiter.admit(source: "a", sourcePerMinute: 100, now: 1) == nil)
    }
}
