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
