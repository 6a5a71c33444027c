import Foundation

/// A webhook subscription as stored in `subscriptions`.
public struct Subscription: Sendable, Equatable, Codable {
    /// Why a subscription is disabled.
    public enum DisabledReason: String, Sendable, Codable, Equatable {
        /// An operator turned it off.
        case manual
        /// The subscriber answered 410 Gone.
        case gone
        /// Every attempt failed for `webhooks.disableAfter`.
        case failing
    }

    public var id: UUID
    public var url: String
    public var eventTypes: [String]
    /// Only events from these intake sources; `nil` for every source.
    public var sources: [String]?
    public var description: String?
    public var enabled: Bool
    public var disabledReason: DisabledReason?
    public var disabledAt: Date?
    /// `whsec_<base64>`.
    public var secret: String
    public var previousSecret: String?
    public var previousSecretExpiresAt: Date?
    public var maxPerSecond: Int?
    /// First failed attempt since the last success; `nil` while healthy.
    public var failingSince: Date?
    public var createdAt: Date
    public var updatedAt: Date
    /// The body's shape (see `WebhookFormat`).
    public var format: WebhookFormat = .standard
    /// The Mustache template of `format == .template`.
    public var template: String?
    /// The template's content type; `nil` for `application/json`.
    public var contentType: String?
    /// Conditions an event must meet to be delivered; `nil` for every event of the subscription's types.
    public var filter: WebhookFilter?

    /// The secrets to sign with at `now`: the current one, and the previous one while its overlap lasts.
    public func signingSecrets(now: Date) throws -> [StandardWebhooks.Secret] {
        try Self.signingSecrets(
            secret: secret, previousSecret: previousSecret, previousSecretExpiresAt: previousSecretExpiresAt, now: now)
    }

    /// The current secret, then the previous one while `now` is before `previousSecretExpiresAt`, each read by
    /// `parse`.
    public static func signingSecrets(
        secret: String, previousSecret: String?, previousSecretExpiresAt: Date?, now: Date,
        parse: (String) throws -> StandardWebhooks.Secret = { try StandardWebhooks.Secret($0) }
    ) throws -> [StandardWebhooks.Secret] {
        var secrets = [try parse(secret)]
        if let previousSecret, let until = previousSecretExpiresAt, until > now {
            secrets.append(try parse(previousSecret))
        }
        return secrets
    }
}

/// A subscription's secrets never show in its descriptions (see `Redaction`); `description` is the subscription's
/// own stored text, so only the debug description and the mirror are redacted.
extension Subscription: CustomDebugStringConvertible, CustomReflectable {
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "id": id, "url": url, "eventTypes": eventTypes, "sources": sources as Any,
                "description": description as Any, "enabled": enabled, "disabledReason": disabledReason as Any,
                "disabledAt": disabledAt as Any, "secret": Redaction.masked,
                "previousSecret": Redaction.mask(previousSecret) as Any,
                "previousSecretExpiresAt": previousSecretExpiresAt as Any, "maxPerSecond": maxPerSecond as Any,
                "failingSince": failingSince as Any, "createdAt": createdAt, "updatedAt": updatedAt,
                "format": format, "template": template as Any, "contentType": contentType as Any,
                "filter": filter as Any,
            ], displayStyle: .struct)
    }

    public var debugDescription: String { Redaction.text(of: self) }
}

extension NewSubscription: CustomDebugStringConvertible, CustomReflectable {
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "url": url, "eventTypes": eventTypes, "sources": sources as Any, "description": description as Any,
                "secret": Redaction.masked, "enabled": enabled, "maxPerSecond": maxPerSecond as Any,
                "format": format, "template": template as Any, "contentType": contentType as Any,
                "filter": filter as Any,
            ], displayStyle: .struct)
    }

    public var debugDescription: String { Redaction.text(of: self) }
}
