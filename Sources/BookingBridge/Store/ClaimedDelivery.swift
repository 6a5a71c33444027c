import Foundation

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
