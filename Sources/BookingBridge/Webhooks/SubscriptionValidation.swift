import Foundation

/// Checks what an operator or the configuration file says about a subscription, field by field, so the admin API
/// can answer 422 with every problem at once.
public struct SubscriptionValidation: Sendable {
    public let destinationGuard: DestinationGuard
    public let resolver: any HostResolver

    public init(settings: WebhookSettings, resolver: any HostResolver = SystemHostResolver()) {
        self.destinationGuard = DestinationGuard(allowed: settings.allowDestinations.compactMap { try? CIDR($0) })
        self.resolver = resolver
    }

    /// Why `url` cannot be a subscription's URL, or `nil`.
    ///
    /// `https` is required unless every address the host resolves to is in `webhooks.allowDestinations`. A host
    /// that names or resolves to a refused address (loopback, private, metadata, ...) is refused now rather than on
    /// every attempt; an https host that does not resolve yet is accepted (the guard checks each attempt anyway).
    public func urlProblem(_ url: String) async -> String? {
        let parsed: WebhookURL
        switch WebhookURL.parse(url) {
        case .success(let value): parsed = value
        case .failure(let refusal): return "must be an absolute https URL: \(refusal)"
        }
        let addresses: [IPAddress]
        do {
            addresses = try await resolver.resolve(host: parsed.host, port: parsed.port)
        } catch {
            if parsed.scheme == "http" {
                return
                    "https is required; plain http is only for destinations in webhooks.allowDestinations, and \(parsed.host) does not resolve"
            }
            return nil
        }
        if parsed.scheme == "http", addresses.contains(where: { !destinationGuard.isExplicitlyAllowed($0) }) {
            return
                "https is required; plain http is only allowed to destinations in webhooks.allowDestinations (BRIDGE_WEBHOOK_ALLOW)"
        }
        if let refusal = destinationGuard.refusal(for: addresses, scheme: parsed.scheme) {
            return "is not an allowed destination: \(refusal)"
        }
        return nil
    }

    /// Problems with the event type patterns.
    public static func eventTypeProblems(_ types: [String]) -> [Problem.FieldError] {
        guard !types.isEmpty else { return [.init(field: "eventTypes", message: "must name at least one event type")] }
        guard types.count <= 50 else { return [.init(field: "eventTypes", message: "at most 50 entries")] }
        return types.enumerated().compactMap { index, type in
            WebhookEventType.problem(with: type).map { .init(field: "eventTypes[\(index)]", message: $0) }
        }
    }

    public static func sourcesProblems(_ sources: [String]) -> [Problem.FieldError] {
        guard !sources.isEmpty else {
            return [.init(field: "sources", message: "must name at least one source, or be null for every source")]
        }
        return sources.enumerated().compactMap { index, source in
            source.isEmpty || source.count > 200 || source.unicodeScalars.contains(where: { $0.value < 0x20 })
                ? .init(field: "sources[\(index)]", message: "must be a source name") : nil
        }
    }

    public static func secretProblem(_ secret: String) -> String? {
        guard secret.hasPrefix("whsec_"), let parsed = try? StandardWebhooks.Secret(secret) else {
            return "must be \"whsec_\" followed by the base64 of 24 to 64 random bytes"
        }
        return (24...64).contains(parsed.key.count)
            ? nil : "must be \"whsec_\" followed by the base64 of 24 to 64 random bytes"
    }

    public static func descriptionProblem(_ description: String) -> String? {
        description.count > 500 || description.unicodeScalars.contains("\u{0}") ? "at most 500 characters of text" : nil
    }

    public static func maxPerSecondProblem(_ value: Int) -> String? {
        (1...10_000).contains(value) ? nil : "must be a whole number from 1 to 10000"
    }
}
