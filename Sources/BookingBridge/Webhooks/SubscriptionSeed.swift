/// A subscription declared in the configuration file; created at start-up when no subscription has its URL.
public struct SubscriptionSeed: Sendable, Equatable, Decodable {
    public var url: String
    public var eventTypes: [String]
    public var sources: [String]?
    public var description: String?
    public var secret: String?
    /// `standard` when absent (see `WebhookFormat`); checked with `template` and `contentType` at start-up.
    public var format: String?
    public var template: String?
    public var contentType: String?
    /// The payload filter as written (see `WebhookFilter`), checked at start-up.
    var filter: JSONValue?

    public init(
        url: String, eventTypes: [String] = ["booking.*"], sources: [String]? = nil, description: String? = nil,
        secret: String? = nil, format: String? = nil, template: String? = nil, contentType: String? = nil
    ) {
        self.url = url
        self.eventTypes = eventTypes
        self.sources = sources
        self.description = description
        self.secret = secret
        self.format = format
        self.template = template
        self.contentType = contentType
    }

    enum CodingKeys: String, CodingKey {
        case url, eventTypes, sources, description, secret, format, template, contentType, filter
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        url = try c.decode(String.self, forKey: .url)
        eventTypes = try c.decodeIfPresent([String].self, forKey: .eventTypes) ?? ["booking.*"]
        sources = try c.decodeIfPresent([String].self, forKey: .sources)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        secret = try c.decodeIfPresent(String.self, forKey: .secret)
        format = try c.decodeIfPresent(String.self, forKey: .format)
        template = try c.decodeIfPresent(String.self, forKey: .template)
        contentType = try c.decodeIfPresent(String.self, forKey: .contentType)
        filter = try c.decodeIfPresent(JSONValue.self, forKey: .filter)
    }
}
