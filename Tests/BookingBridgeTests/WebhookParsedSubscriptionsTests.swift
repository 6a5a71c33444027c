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
            #expect(parsed.url(url) == WebhookURL.parse(url))
        }
        let before = Self.delivery(url: "http://127.0.0.1/", secret: old.text)
        #expect(try parsed.signingSecrets(of: before, now: now) == [old])
        let rotated = Self.delivery(
            url: "http://127.0.0.1/", secret: new.text, previous: old.text, until: now.addingTimeInterval(60))
        #expect(try parsed.signingSecrets(of: rotated, now: now) == [new, old])
        #expect(try parsed.signingSecrets(of: rotated, now: now.addingTimeInterval(61)) == [new], "overlap over")
        #expect(try parsed.signingSecrets(of: rotated, now: now) == rotated.signingSecrets(now: now))
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
