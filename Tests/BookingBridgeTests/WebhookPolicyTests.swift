import BookingBridge
import Foundation
import Testing

/// Retry decisions, event type matching, event bodies and secrets: the pure rules of webhooks.
@Suite("Webhook rules")
struct WebhookPolicyTests {
    let policy = WebhookRetryPolicy(
        schedule: ["0s", "5s", "5m", "30m"].compactMap(DurationText.parse), jitter: 0.1)
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("2xx delivers; 410 is gone; other answers retry on the schedule and then fail")
    func decisions() {
        #expect(policy.decide(.response(status: 200, retryAfter: nil), attempt: 1, now: now, random: 0.5) == .delivered)
        #expect(policy.decide(.response(status: 299, retryAfter: nil), attempt: 4, now: now, random: 0.5) == .delivered)
        #expect(policy.decide(.response(status: 410, retryAfter: nil), attempt: 1, now: now, random: 0.5) == .gone)
        #expect(
            policy.decide(.response(status: 500, retryAfter: nil), attempt: 1, now: now, random: 0.5)
                == .retry(after: .seconds(5)))
        #expect(
            policy.decide(.response(status: 302, retryAfter: nil), attempt: 2, now: now, random: 0.5)
                == .retry(after: .seconds(300)))
        #expect(policy.decide(.timeout, attempt: 3, now: now, random: 0.5) == .retry(after: .seconds(1800)))
        #expect(policy.decide(.refused, attempt: 4, now: now, random: 0.5) == .failed)
        #expect(policy.decide(.transportError, attempt: 4, now: now, random: 0.5) == .failed)
        #expect(policy.decide(.response(status: 304, retryAfter: nil), attempt: 4, now: now, random: 0.5) == .failed)
    }

    @Test("429 and 503 wait at least as long as Retry-After says (seconds or HTTP date), capped at a day")
    func retryAfter() {
        #expect(
            policy.decide(.response(status: 429, retryAfter: "120"), attempt: 1, now: now, random: 0.5)
                == .retry(after: .seconds(120)))
        #expect(
            policy.decide(.response(status: 503, retryAfter: "1"), attempt: 2, now: now, random: 0.5)
                == .retry(after: .seconds(300)))
        let date = "Fri, 15 Jan 2027 08:00:00 GMT"
        let expected = WebhookRetryPolicy.parseRetryAfter(date, now: now)
        #expect(expected != nil)
        #expect(
            policy.decide(.response(status: 503, retryAfter: "999999999"), attempt: 1, now: now, random: 0.5)
                == .retry(after: .seconds(86400)))
        #expect(
            policy.decide(.response(status: 500, retryAfter: "120"), attempt: 1, now: now, random: 0.5)
                == .retry(after: .seconds(5)), "only 429/503")
        #expect(
            policy.decide(.response(status: 429, retryAfter: "soon"), attempt: 1, now: now, random: 0.5)
                == .retry(after: .seconds(5)))
        let httpDate = now.addingTimeInterval(90).formatted(
            Date.VerbatimFormatStyle(
                format:
                    "\(weekday: .abbreviated), \(day: .twoDigits) \(month: .abbreviated) \(year: .defaultDigits) \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits):\(second: .twoDigits) GMT",
                locale: Locale(identifier: "en_US_POSIX"), timeZone: TimeZone(identifier: "GMT")!,
                calendar: Calendar(identifier: .gregorian)))
        #expect(WebhookRetryPolicy.parseRetryAfter(httpDate, now: now) == .seconds(90))
        #expect(WebhookRetryPolicy.parseRetryAfter("-5", now: now) == nil)
    }

    @Test("jitter spreads delays by at most the configured fraction and leaves zero alone")
    func jitter() {
        #expect(policy.jittered(.seconds(100), random: 0) == .seconds(90))
        #expect(policy.jittered(.seconds(100), random: 0.999999) == .milliseconds(110_000))
        #expect(policy.jittered(.zero, random: 0.9) == .zero)
        let none = WebhookRetryPolicy(schedule: [.seconds(1)], jitter: 0)
        #expect(none.jittered(.seconds(7), random: 0.9) == .seconds(7))
    }

    @Test("default settings give the schedule of the issue, 15 s timeout, cap 4, 24 h overlap, 5 days to disable")
    func defaults() {
        let settings = WebhookSettings()
        #expect(settings.retrySchedule.map(DurationText.format) == ["0s", "5s", "5m", "30m", "2h", "5h", "10h", "10h"])
        #expect(settings.timeoutSeconds == 15)
        #expect(settings.maxConcurrentPerSubscription == 4)
        #expect(settings.claimAhead == nil, "as many as the workers")
        #expect(settings.secretRotationOverlap == .seconds(86400))
        #expect(settings.disableAfter == .seconds(5 * 86400))
        #expect(settings.effectiveLease == .seconds(45))
    }

    @Test("event type patterns: exact, prefix wildcard and star; unknown ones are rejected")
    func eventTypes() {
        #expect(WebhookEventType.matches(pattern: "booking.*", type: "booking.confirmed"))
        #expect(WebhookEventType.matches(pattern: "booking.*", type: "booking.needs_review"))
        #expect(!WebhookEventType.matches(pattern: "booking.*", type: "subscription.disabled"))
        #expect(!WebhookEventType.matches(pattern: "booking.*", type: "bookings.x"))
        #expect(WebhookEventType.matches(pattern: "*", type: "subscription.disabled"))
        #expect(!WebhookEventType.matches(pattern: "booking.confirmed", type: "booking.failed"))
        #expect(WebhookEventType.problem(with: "booking.offline") == nil)
        #expect(WebhookEventType.problem(with: "subscription.*") == nil)
        #expect(WebhookEventType.problem(with: "booking.cancelled") != nil)
        #expect(WebhookEventType.problem(with: "invoice.*") != nil)
    }

    @Test("an event body has type, timestamp and data in that order, sorted data keys, same bytes every time")
    func body() throws {
        struct Data: Encodable {
            var zeta = 1
            var alpha = "a/b"
            var when = Date(timeIntervalSince1970: 1_800_000_000.5)
        }
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        let body = try WebhookEventBody.make(type: "booking.confirmed", timestamp: at, data: Data())
        #expect(
            body
                == #"{"type":"booking.confirmed","timestamp":"2027-01-15T08:00:00.000Z","data":{"alpha":"a/b","when":"2027-01-15T08:00:00.500Z","zeta":1}}"#
        )
        #expect(try WebhookEventBody.make(type: "booking.confirmed", timestamp: at, data: Data()) == body)
        let id = WebhookEventBody.makeID()
        #expect(id.hasPrefix("evt_") && id.count == 36)
        #expect(WebhookEventBody.makeID(now: at) < WebhookEventBody.makeID(now: at.addingTimeInterval(1)))
    }

    @Test("signing secrets: the previous one joins only while its overlap lasts; both signatures verify")
    func rotationSecrets() throws {
        let old = StandardWebhooks.Secret.generate().text
        let new = StandardWebhooks.Secret.generate().text
        let during = try Subscription.signingSecrets(
            secret: new, previousSecret: old, previousSecretExpiresAt: now.addingTimeInterval(60), now: now)
        #expect(during.map(\.text) == [new, old])
        let after = try Subscription.signingSecrets(
            secret: new, previousSecret: old, previousSecretExpiresAt: now.addingTimeInterval(-1), now: now)
        #expect(after.map(\.text) == [new])
        let header = StandardWebhooks.signatureHeader(
            id: "evt_1", timestamp: 1_800_000_000, body: Array("{}".utf8), secrets: during)
        #expect(header.split(separator: " ").count == 2)
        for secret in [old, new] {
            try StandardWebhooks.verify(
                id: "evt_1", timestamp: "1800000000", signatureHeader: header, body: Array("{}".utf8),
                secrets: [try StandardWebhooks.Secret(secret)], now: now)
        }
        #expect(SubscriptionValidation.secretProblem(new) == nil)
        #expect(
            SubscriptionValidation.secretProblem("whsec_" + Data(repeating: 1, count: 16).base64EncodedString()) != nil)
        #expect(SubscriptionValidation.secretProblem("not-a-secret") != nil)
    }
}

@Suite("Webhook settings from the configuration file")
struct WebhookSettingsFileTests {
    static func load(_ webhooks: String) throws -> WebhookSettings {
        try BridgeConfiguration.load(environment: [:], file: Data(#"{"webhooks": \#(webhooks)}"#.utf8)).webhooks
    }

    @Test("claimAhead: as many as the workers unless set; 0 or more")
    func claimAhead() throws {
        #expect(try Self.load(#"{"workers": 8}"#).claimAhead == nil)
        #expect(try Self.load(#"{"claimAhead": 0}"#).claimAhead == 0)
        #expect(try Self.load(#"{"claimAhead": 5}"#).claimAhead == 5)
        #expect(throws: ConfigurationError.self) { try Self.load(#"{"claimAhead": -1}"#) }
    }
}
