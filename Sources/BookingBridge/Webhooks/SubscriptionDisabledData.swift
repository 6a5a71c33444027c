import Foundation
import Logging
import PostgresNIO

/// The `data` of a `subscription.disabled` event (documented in docs/webhooks.md).
public struct SubscriptionDisabledData: Codable, Sendable, Equatable {
    public var subscriptionId: String
    public var url: String
    public var description: String?
    /// `gone` (the subscriber answered 410) or `failing` (every attempt failed for `webhooks.disableAfter`).
    public var reason: String
    public var disabledAt: Date
    /// First failed attempt of the streak that led here.
    public var failingSince: Date?
    public var lastStatusCode: Int?
    public var lastError: String?
}
