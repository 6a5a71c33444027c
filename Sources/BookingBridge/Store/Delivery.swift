import Foundation

/// Where a delivery stands. Stored as checked text in `deliveries.status`.
public enum DeliveryStatus: String, Sendable, Codable, CaseIterable {
    /// Waiting for its first attempt (or for its subscription to be enabled).
    case pending
    /// An attempt failed; another is scheduled.
    case retrying
    /// A 2xx answer arrived.
    case delivered
    /// Every attempt failed; redeliver or recover to try again.
    case failed
}

/// One delivery (an event for a subscription) as the admin API shows it.
public struct DeliveryRecord: Sendable, Equatable, Codable {
    public var id: Int64
    public var eventID: String
    public var eventType: String
    public var subscriptionID: UUID
    public var status: DeliveryStatus
    public var attempts: Int
    public var nextAttemptAt: Date
    /// True while a dispatcher holds the delivery (a request may be on its way).
    public var inFlight: Bool
    public var lastAttemptAt: Date?
    public var lastStatusCode: Int?
    public var lastResponseBody: String?
    public var lastError: String?
    public var deliveredAt: Date?
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, eventID = "eventId", eventType, subscriptionID = "subscriptionId", status, attempts, nextAttemptAt
        case inFlight, lastAttemptAt, lastStatusCode, lastResponseBody, lastError, deliveredAt, createdAt, updatedAt
    }

    /// Ids are written in lower case, like every id the bridge shows.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(eventID, forKey: .eventID)
        try c.encode(eventType, forKey: .eventType)
        try c.encode(subscriptionID.uuidString.lowercased(), forKey: .subscriptionID)
        try c.encode(status, forKey: .status)
        try c.encode(attempts, forKey: .attempts)
        try c.encode(nextAttemptAt, forKey: .nextAttemptAt)
        try c.encode(inFlight, forKey: .inFlight)
        try c.encodeIfPresent(lastAttemptAt, forKey: .lastAttemptAt)
        try c.encodeIfPresent(lastStatusCode, forKey: .lastStatusCode)
        try c.encodeIfPresent(lastResponseBody, forKey: .lastResponseBody)
        try c.encodeIfPresent(lastError, forKey: .lastError)
        try c.encodeIfPresent(deliveredAt, forKey: .deliveredAt)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
    }
}

/// One recorded request (or refusal) for a delivery.
public struct DeliveryAttemptRecord: Sendable, Equatable, Codable {
    public var id: Int64
    public var attempt: Int
    public var startedAt: Date
    public var durationMs: Int
    /// `delivered`, `http_error`, `gone`, `throttled`, `redirect`, `timeout`, `transport_error` or `refused`.
    public var outcome: String
    public var statusCode: Int?
    public var address: String?
    public var responseBody: String?
    public var error: String?
}

/// A delivery a dispatcher has claimed, with what it needs to send it.
public struct ClaimedDelivery: Sendable, Equatable {
    public var id: Int64
    public var eventID: String
    public var eventType: String
    /// The stored event: the exact bytes to send and sign for a `standard` subscription, what the other formats
    /// are rendered from.
    public var body: String
    /// This attempt's number in the current run (1-based).
    public var attempt: Int
    public var subscriptionID: UUID
    public var url: String
    public var secret: String
    public var previousSecret: String?
    public var previousSecretExpiresAt: Date?
    public var failingSince: Date?
    public var maxPerSecond: Int?
    /// The subscription's format (`body` is sent as it is for `standard`, rendered for the others).
    public var format: WebhookFormat = .standard
    public var template: String?
    public var contentType: String?

    /// The secrets to sign with at `now`: the current one, and the previous one while its overlap lasts.
    public func signingSecrets(now: Date) throws -> [StandardWebhooks.Secret] {
        try Subscription.signingSecrets(
            secret: secret, previousSecret: previousSecret, previousSecretExpiresAt: previousSecretExpiresAt, now: now)
    }
}

/// What an attempt produced, ready to be written.
public struct DeliveryAttemptOutcome: Sendable {
    public var deliveryID: Int64
    public var subscriptionID: UUID
    public var attempt: Int
    public var startedAt: Date
    public var duration: Duration
    public var result: WebhookAttemptResult
    public var decision: WebhookRetryPolicy.Decision
    public var address: String?
    public var responseBody: String?
    public var error: String?

    public init(
        deliveryID: Int64, subscriptionID: UUID, attempt: Int, startedAt: Date, duration: Duration,
        result: WebhookAttemptResult, decision: WebhookRetryPolicy.Decision, address: String? = nil,
        responseBody: String? = nil, error: String? = nil
    ) {
        self.deliveryID = deliveryID
        self.subscriptionID = subscriptionID
        self.attempt = attempt
        self.startedAt = startedAt
        self.duration = duration
        self.result = result
        self.decision = decision
        self.address = address
        self.responseBody = responseBody
        self.error = error
    }

    var statusCode: Int? {
        if case .response(let status, _) = result { return status }
        return nil
    }
}
