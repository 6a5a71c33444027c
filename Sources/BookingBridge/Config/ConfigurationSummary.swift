import Foundation
import Logging

/// A readable summary of a configuration with every secret masked, for `serve --check-config` and start-up logs.
public enum ConfigurationSummary {
    public static func text(_ c: BridgeConfiguration) -> String {
        func mask(_ secret: String?) -> String { secret == nil ? "(unset)" : "(set)" }
        var lines = [
            "configuration is valid",
            "  listen:            \(c.host):\(c.port)",
            "  connections:       headerTimeout=\(DurationText.format(c.server.headerTimeout)) idleTimeout=\(DurationText.format(c.server.idleTimeout)) max=\(c.server.maxConnections) trustedProxies=\(c.server.trustedProxies.isEmpty ? "(none)" : c.server.trustedProxies.map(\.description).joined(separator: ","))",
            "  database:          \(c.databaseURL.map(redactURL) ?? "(unset)") pool=\(c.databasePoolSize)",
            "  admin token:       \(mask(c.adminToken))",
            "  hubspot:           \(account(c.hubspot))",
            "  hubspot accounts:  \(c.hubspotAccounts.isEmpty ? "(none)" : "")",
            "  crm reconcile:     needs the token scope \(HubSpotCRMScope.contactsRead) (not checked here, offline; serve checks it at start-up and logs when it is missing)",
            "  pipeline:          workers=\(c.pipeline.workers) maxAttempts=\(c.pipeline.maxAttempts) maxAge=\(DurationText.format(c.pipeline.maxAge)) pollOnly=\(c.pipeline.pollOnly)",
            "  webhooks:          timeout=\(c.webhooks.timeoutSeconds)s retries=\(c.webhooks.retrySchedule.map(DurationText.format).joined(separator: ",")) allow=\(c.webhooks.allowDestinations.joined(separator: ","))",
            "  intake:            maxBody=\(c.intake.maxBodyBytes)B commitTimeout=\(DurationText.format(c.intake.commitTimeout))",
            "  retention:         \(DurationText.format(c.retention.maxAge))",
            "  secret keys:       \(c.secrets.current == nil ? "(none: secrets stored in the clear)" : "\(c.secrets)")",
            "  log:               \(c.logLevel.rawValue) \(c.logFormat.rawValue)",
            "  sources:           \(c.sources.isEmpty ? "(none)" : "")",
        ]
        let accountsLine = lines.firstIndex { $0.hasPrefix("  hubspot accounts:") }.map { $0 + 1 } ?? lines.count
        lines.insert(
            contentsOf: c.hubspotAccounts.sorted(by: { $0.key < $1.key }).map { "    \($0.key): \(account($0.value))" },
            at: accountsLine)
        for (name, source) in c.sources.sorted(by: { $0.key < $1.key }) {
            let auth: String =
                switch source.auth {
                case .public(let origins, _): "public origins=\(origins.joined(separator: ","))"
                default: source.auth.mode
                }
            lines.append(
                "    \(name): kind=\(source.kind.rawValue) slug=\(source.slug) auth=\(auth)"
                    + " hubspot=\(source.hubspot ?? "(default)")")
        }
        lines.append("  subscriptions:     \(c.subscriptions.count) from the file")
        return lines.joined(separator: "\n")
    }

    /// One account's base URL, kind of credentials (never the credentials) and limits.
    static func account(_ a: HubSpotSettings) -> String {
        let auth = a.accessToken != nil ? "static token" : a.clientID != nil ? "oauth refresh" : "(none)"
        return "\(a.baseURL) auth=\(auth) rate=\(a.rateLimitPer10s)/10s daily=\(a.dailyLimit)"
    }

    /// The URL without its password or secret query parameters (see `Redaction.url`).
    static func redactURL(_ url: String) -> String { Redaction.url(url) }
}
