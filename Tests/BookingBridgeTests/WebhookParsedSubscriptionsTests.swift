import AsyncHTTPClient
import Foundation
import Testing

@testable import BookingBridge

/// The sender remembers parsed URLs and secrets by their text; a changed URL or a rotated secret is parsed anew.
@Suite("Webhook sender's parsed subscriptions")
struct WebhookParsedSubscriptionsTests {
    static func delivery(url: String, secret: String, previous: String? = nil, until: Date? = nil) -> ClaimedDelivery {
        ClaimedDelivery(
            id: 1, eventID: "evt_1", eventType: "booking.confirmed", body: "{}", attempt: 1, subscriptionID: UUID(),
            url: url, secret: secret, previousSecret: previous, previousSecretExpiresAt: until, failingSince: nil,
            maxPerSecond: nil)
    }

    @Test("the same answers as parsing each time, across a URL change and a secret rotation")
    func sameAsParsing() throws {
        let parsed = ParsedSubscriptions()
        let old = StandardWebhooks.Secret.generate()
        let new = StandardWebhooks.Secret.generate()
        let now = Date()
        for url in ["http://127.0.0.1:8080/a", "https://hooks.example.org/b?x=1", "http://127.0.0.1:8080/a", "ftp://x"]
        {
            #expect(parsed.destination(url).map(\.url) == WebhookURL.parse(url))
        }
        let before = Self.delivery(url: "http://127.0.0.1/", secret: old.text)
        #expect(try parsed.signingSecrets(of: before, now: now) == [old])
        let rotated = Self.delivery(
            url: "http://127.0.0.1/", secret: new.text, previous: old.text, until: now.addingTimeInterval(60))
        #expect(try parsed.signingSecrets(of: rotated, now: now) == [new, old])
        #expect(try parsed.signingSecrets(of: rotated, now: now.addingTimeInterval(61)) == [new], "overlap over")
        #expect(try parsed.signingSecrets(of: rotated, now: now) == rotated.signingSecrets(now: now))
    }

    @Test("what each request needs of a URL is worked out once, as the request would per attempt")
    func destination() throws {
        let parsed = ParsedSubscriptions()
        for text in [
            "http://127.0.0.1:8080/a?b=1", "http://[::1]:9000/x", "https://10.0.0.7/", "https://Hooks.Example.org/",
        ] {
            let url = try WebhookURL.parse(text).get()
            let destination = try parsed.destination(text).get()
            #expect(destination.hostHeader == url.hostHeader)
            if let address = url.literalAddress {
                #expect(destination.literal?.address == address)
                #expect(destination.literal?.text == address.description)
                #expect(destination.literal?.pinned == url.pinned(to: address))
            } else {
                #expect(destination.literal == nil)
            }
        }
        #expect(try parsed.destination("http://[::1]:9000/x").get().literal?.pinned == "http://[::1]:9000/x")
        #expect(try parsed.destination("http://127.0.0.1:8080/a?b=1").get().literal?.text == "127.0.0.1")
        #expect(try parsed.destination("https://hooks.example.org/").get().literal == nil)
    }

    /// Answers every name with 127.0.0.1 and counts the questions.
    final class CountingResolver: HostResolver {
        let questions = LockedValue(0)
        func resolve(host: String, port: Int) async throws -> [IPAddress] {
            questions.withLock { $0 += 1 }
            return [IPAddress("127.0.0.1")!]
        }
    }

    @Test("an address in the URL is checked by the guard without asking the resolver; a name is resolved, then checked")
    func literalsSkipTheResolver() async throws {
        let resolver = CountingResolver()
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let sender = WebhookSender(
            httpClient: http, resolver: resolver, destinationGuard: DestinationGuard(), timeout: .seconds(1),
            userAgent: "test")
        let secret = StandardWebhooks.Secret.generate().text
        var attempts: [(String, WebhookSender.Attempt)] = []
        do {
            for url in ["https://10.0.0.1/hook", "http://[::1]:9/x", "http://hooks.test:9/x"] {
                attempts.append((url, try await sender.send(Self.delivery(url: url, secret: secret))))
                if url.contains("[::1]") {
                    #expect(resolver.questions.withLock { $0 } == 0, "no name to resolve so far")
                }
            }
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
        for (url, attempt) in attempts {
            #expect(attempt.result == .refused, "\(url): private, loopback, and a name resolving to loopback")
        }
        #expect(attempts.map(\.1.address) == ["10.0.0.1", "::1", "127.0.0.1"])
        #expect(resolver.questions.withLock { $0 } == 1, "only the name was resolved")
    }

    @Test("an unusable secret is refused every time, not remembered")
    func unusableSecret() {
        let parsed = ParsedSubscriptions()
        let broken = Self.delivery(url: "http://127.0.0.1/", secret: "whsec_not-base64!")
        for _ in 0..<2 {
            #expect(throws: (any Error).self) { try parsed.signingSecrets(of: broken, now: Date()) }
        }
    }
}
