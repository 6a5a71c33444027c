/// Outbound webhook delivery settings (`webhooks` in the configuration file).
public struct WebhookSettings: Sendable, Equatable {
    /// CIDR ranges that destinations may resolve to although they are loopback/private (`BRIDGE_WEBHOOK_ALLOW`).
    public var allowDestinations: [String] = []
    /// Seconds to wait for a subscriber's answer.
    public var timeoutSeconds: Double = 15
    /// Delay before each attempt (the first is usually 0).
    public var retrySchedule: [Duration] = ["0s", "5s", "5m", "30m", "2h", "5h", "10h", "10h"].compactMap(
        DurationText.parse)
    /// Concurrent requests to one subscription, per process.
    public var maxConcurrentPerSubscription: Int = 4
    /// Deliveries sent at the same time by one process.
    public var workers: Int = 32
    /// Deliveries claimed ahead of the workers, waiting for the next one free; `nil` means as many as `workers`
    /// (at most that many), 0 claims only for idle workers.
    public var claimAhead: Int?
    /// How long signatures with the previous secret keep being sent after a rotation.
    public var secretRotationOverlap: Duration = .seconds(24 * 3600)
    /// A subscription whose every attempt has failed this long is disabled.
    public var disableAfter: Duration = .seconds(5 * 24 * 3600)
    /// How long a claimed delivery belongs to one dispatcher; `nil` means the timeout plus 30 seconds. A delivery
    /// whose dispatcher died is sent again once its lease ends (same `webhook-id`).
    public var lease: Duration?
    /// How often the dispatcher looks for due deliveries when nothing woke it.
    public var pollInterval: Duration = .seconds(1)
    /// Retry delays vary by up to this fraction either way.
    public var jitter: Double = 0.1
    /// Sent as `User-Agent` on every delivery.
    public var userAgent: String = "BookingBridge/\(WebhookSettings.bridgeVersion)"
    /// `server.publicURL` (not a `webhooks` key; the configuration copies it here): chat messages link to the
    /// intent in the console when it is set.
    public var publicURL: String?

    /// The version in the default `User-Agent`.
    public static let bridgeVersion = "0.1.0"

    public init() {}

    /// The lease in force.
    public var effectiveLease: Duration { lease ?? .milliseconds(Int64(timeoutSeconds * 1000)) + .seconds(30) }

    /// The retry rules these settings describe.
    public var retryPolicy: WebhookRetryPolicy { WebhookRetryPolicy(schedule: retrySchedule, jitter: jitter) }
}

extension WebhookSettings: Decodable {
    enum CodingKeys: String, CodingKey {
        case allowDestinations, timeoutSeconds, retrySchedule, maxConcurrentPerSubscription, workers, claimAhead
        case secretRotationOverlap, disableAfter, lease, pollInterval, jitter, userAgent
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var s = WebhookSettings()
        s.allowDestinations = try c.decodeIfPresent([String].self, forKey: .allowDestinations) ?? s.allowDestinations
        s.timeoutSeconds = try c.decodeIfPresent(Double.self, forKey: .timeoutSeconds) ?? s.timeoutSeconds
        if let schedule = try c.decodeIfPresent([String].self, forKey: .retrySchedule) {
            s.retrySchedule = try schedule.map { text in
                guard let d = DurationText.parse(text) else {
                    throw ConfigurationError(
                        key: "webhooks.retrySchedule", expected: "durations such as \"5s\"", found: "\"\(text)\"")
                }
                return d
            }
            guard !s.retrySchedule.isEmpty else {
                throw ConfigurationError(key: "webhooks.retrySchedule", expected: "at least one duration")
            }
        }
        s.maxConcurrentPerSubscription =
            try c.decodeIfPresent(Int.self, forKey: .maxConcurrentPerSubscription) ?? s.maxConcurrentPerSubscription
        s.workers = try c.decodeIfPresent(Int.self, forKey: .workers) ?? s.workers
        s.claimAhead = try c.decodeIfPresent(Int.self, forKey: .claimAhead) ?? s.claimAhead
        s.secretRotationOverlap =
            try c.decodeDurationIfPresent(forKey: .secretRotationOverlap) ?? s.secretRotationOverlap
        s.disableAfter = try c.decodeDurationIfPresent(forKey: .disableAfter) ?? s.disableAfter
        s.lease = try c.decodeDurationIfPresent(forKey: .lease) ?? s.lease
        s.pollInterval = try c.decodeDurationIfPresent(forKey: .pollInterval) ?? s.pollInterval
        s.jitter = try c.decodeIfPresent(Double.self, forKey: .jitter) ?? s.jitter
        s.userAgent = try c.decodeIfPresent(String.self, forKey: .userAgent) ?? s.userAgent
        for cidr in s.allowDestinations {
            do { _ = try CIDR(cidr) } catch {
                throw ConfigurationError(
                    key: "webhooks.allowDestinations", expected: "address blocks such as 127.0.0.0/8",
                    found: "\"\(cidr)\"")
            }
        }
        guard (s.claimAhead ?? 0) >= 0 else {
            throw ConfigurationError(key: "webhooks.claimAhead", expected: "0 or more", found: "\(s.claimAhead!)")
        }
        guard s.maxConcurrentPerSubscription > 0, s.workers > 0, s.timeoutSeconds > 0 else {
            throw ConfigurationError(
                key: "webhooks", expected: "positive workers, maxConcurrentPerSubscription and timeoutSeconds")
        }
        self = s
    }
}
