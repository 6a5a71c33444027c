import Foundation

/// The fields of a new subscription, already validated.
public struct NewSubscription: Sendable, Equatable {
    public var url: String
    public var eventTypes: [String]
    public var sources: [String]?
    public var description: String?
    public var secret: String
    public var enabled: Bool
    public var maxPerSecond: Int?
    public var format: WebhookFormat
    public var template: String?
    public var contentType: String?
    public var filter: WebhookFilter?

    public init(
        url: String, eventTypes: [String], sources: [String]? = nil, description: String? = nil,
        secret: String = StandardWebhooks.Secret.generate().text, enabled: Bool = true, maxPerSecond: Int? = nil,
        format: WebhookFormat = .standard, template: String? = nil, contentType: String? = nil,
        filter: WebhookFilter? = nil
    ) {
        self.url = url
        self.eventTypes = eventTypes
        self.sources = sources
        self.description = description
        self.secret = secret
        self.enabled = enabled
        self.maxPerSecond = maxPerSecond
        self.format = format
        self.template = template
        self.contentType = contentType
        self.filter = filter
    }
}
