import Foundation
import Hummingbird
import NIOCore

/// A subscription as the admin API shows it; the secret only where the caller needs it (create, read one, rotate).
struct SubscriptionView: Encodable {
    var id: String
    var url: String
    var eventTypes: [String]
    var sources: [String]?
    var description: String?
    var enabled: Bool
    var disabledReason: String?
    var disabledAt: Date?
    var maxPerSecond: Int?
    var failingSince: Date?
    var secret: String?
    /// Until then deliveries carry a second signature made with the previous secret.
    var previousSecretExpiresAt: Date?
    var format: String
    var template: String?
    var contentType: String?
    var filter: WebhookFilter?
    var createdAt: Date
    var updatedAt: Date

    init(_ s: Subscription, showSecret: Bool) {
        format = s.format.rawValue
        template = s.template
        contentType = s.template == nil ? nil : s.contentType ?? WebhookTemplate.defaultContentType
        filter = s.filter
        id = s.id.uuidString.lowercased()
        url = s.url
        eventTypes = s.eventTypes
        sources = s.sources
        description = s.description
        enabled = s.enabled
        disabledReason = s.disabledReason?.rawValue
        disabledAt = s.disabledAt
        maxPerSecond = s.maxPerSecond
        failingSince = s.failingSince
        secret = showSecret ? s.secret : nil
        previousSecretExpiresAt = s.previousSecretExpiresAt.flatMap { $0 > Date() ? $0 : nil }
        createdAt = s.createdAt
        updatedAt = s.updatedAt
    }
}

struct SubscriptionList: Encodable {
    var data: [SubscriptionView]
}

/// The body of `POST /v1/subscriptions`.
struct CreateSubscriptionBody: Decodable {
    var url: String?
    var eventTypes: [String]?
    var sources: [String]?
    var description: String?
    var secret: String?
    var enabled: Bool?
    var maxPerSecond: Int?
    var format: String?
    var template: String?
    var contentType: String?
    var filter: JSONValue?
}

/// The body of `PATCH /v1/subscriptions/{id}`: absent keys stay as they are, `null` clears `sources`,
/// `description`, `maxPerSecond` and `filter`.
struct PatchSubscriptionBody: Decodable {
    var url: String?
    var eventTypes: [String]?
    var sources: [String]??
    var description: String??
    var enabled: Bool?
    var maxPerSecond: Int??
    var format: String?
    var template: String??
    var contentType: String??
    var filter: JSONValue??

    enum CodingKeys: String, CodingKey {
        case url, eventTypes, sources, description, enabled, maxPerSecond, format, template, contentType, filter
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        url = try c.decodeIfPresent(String.self, forKey: .url)
        eventTypes = try c.decodeIfPresent([String].self, forKey: .eventTypes)
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled)
        if c.contains(.sources) { sources = .some(try c.decodeIfPresent([String].self, forKey: .sources)) }
        if c.contains(.description) { description = .some(try c.decodeIfPresent(String.self, forKey: .description)) }
        if c.contains(.maxPerSecond) { maxPerSecond = .some(try c.decodeIfPresent(Int.self, forKey: .maxPerSecond)) }
        format = try c.decodeIfPresent(String.self, forKey: .format)
        if c.contains(.template) { template = .some(try c.decodeIfPresent(String.self, forKey: .template)) }
        if c.contains(.contentType) { contentType = .some(try c.decodeIfPresent(String.self, forKey: .contentType)) }
        if c.contains(.filter) { filter = .some(try c.decodeIfPresent(JSONValue.self, forKey: .filter)) }
    }
}

struct RotateSecretBody: Decodable {
    var secret: String?
}

struct RecoverResult: Encodable {
    var subscriptionId: String
    var since: Date
    var requeued: Int
}
