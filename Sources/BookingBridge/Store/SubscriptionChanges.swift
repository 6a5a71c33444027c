import Foundation

/// A change to a subscription (PATCH): `nil` leaves a field as it is; `sources: .some(nil)` clears the filter.
public struct SubscriptionChanges: Sendable, Equatable {
    public var url: String?
    public var eventTypes: [String]?
    public var sources: [String]??
    public var description: String??
    public var enabled: Bool?
    public var maxPerSecond: Int??
    /// `format`, `template` and `contentType` change together (the admin API works out all three).
    public var format: WebhookFormat?
    public var template: String??
    public var contentType: String??
    /// `.some(nil)` removes the filter.
    public var filter: WebhookFilter??

    public init(
        url: String? = nil, eventTypes: [String]? = nil, sources: [String]?? = nil, description: String?? = nil,
        enabled: Bool? = nil, maxPerSecond: Int?? = nil, format: WebhookFormat? = nil, template: String?? = nil,
        contentType: String?? = nil, filter: WebhookFilter?? = nil
    ) {
        self.format = format
        self.template = template
        self.contentType = contentType
        self.filter = filter
        self.url = url
        self.eventTypes = eventTypes
        self.sources = sources
        self.description = description
        self.enabled = enabled
        self.maxPerSecond = maxPerSecond
    }
}
