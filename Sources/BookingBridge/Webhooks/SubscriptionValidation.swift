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

    /// What a subscription's body settings amount to once checked: the format, and the template with its content
    /// type (both `nil` unless the format is `template`).
    public struct Body: Sendable, Equatable {
        public var format: WebhookFormat
        public var template: String?
        public var contentType: String?
    }

    /// Checks `format`, `template` and `contentType` together (a template needs `format: "template"`, and
    /// `format: "template"` a template that parses and, for a JSON content type, renders JSON for every event type
    /// in `eventTypes`); the settings, or every problem.
    public static func body(
        format text: String?, template: String?, contentType: String?, eventTypes: [String]
    ) -> Result<Body, FieldProblems> {
        let formatText = text ?? (template == nil ? WebhookFormat.standard.rawValue : WebhookFormat.template.rawValue)
        guard let format = WebhookFormat(rawValue: formatText) else {
            return .failure(FieldProblems([.init(field: "format", message: WebhookFormat.problem(with: formatText)!)]))
        }
        guard format == .template else {
            var problems: [ProblemFieldError] = []
            if template != nil {
                problems.append(.init(field: "template", message: "is only for \"format\": \"template\""))
            }
            if contentType != nil {
                problems.append(.init(field: "contentType", message: "is only for \"format\": \"template\""))
            }
            return problems.isEmpty ? .success(Body(format: format)) : .failure(FieldProblems(problems))
        }
        var problems: [ProblemFieldError] = []
        if let contentType, let problem = contentTypeProblem(contentType) {
            problems.append(.init(field: "contentType", message: problem))
        }
        guard let template, !template.trimmingWhitespace().isEmpty else {
            return .failure(
                FieldProblems(
                    problems + [.init(field: "template", message: "is required with \"format\": \"template\"")]))
        }
        guard template.utf8.count <= WebhookTemplate.maxBytes, !template.unicodeScalars.contains("\u{0}") else {
            return .failure(
                FieldProblems(
                    problems + [.init(field: "template", message: "at most \(WebhookTemplate.maxBytes) bytes of text")])
            )
        }
        guard problems.isEmpty else { return .failure(FieldProblems(problems)) }
        do {
            let parsed = try WebhookTemplate(template, contentType: contentType ?? WebhookTemplate.defaultContentType)
            if let problem = parsed.problem(eventTypes: eventTypes) {
                return .failure(FieldProblems([.init(field: "template", message: problem)]))
            }
        } catch {
            return .failure(FieldProblems([.init(field: "template", message: "does not parse: \(error.description)")]))
        }
        return .success(Body(format: format, template: template, contentType: contentType))
    }

    /// A media type such as `application/json` or `text/plain; charset=utf-8`.
    public static func contentTypeProblem(_ text: String) -> String? {
        let media = text.split(separator: ";", maxSplits: 1).first.map { $0.trimmingWhitespace() } ?? ""
        let parts = media.split(separator: "/", omittingEmptySubsequences: false)
        let token = { (part: Substring) in
            !part.isEmpty
                && part.unicodeScalars.allSatisfy {
                    $0.isASCII && ($0.properties.isAlphabetic || "0123456789!#$&^_.+-".unicodeScalars.contains($0))
                }
        }
        guard text.count <= 200, parts.count == 2, token(parts[0]), token(parts[1]),
            !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || !$0.isASCII })
        else { return "must be a media type such as application/json or text/plain; charset=utf-8" }
        return nil
    }

    /// Reads a payload filter (`nil`/`null`: none).
    static func filter(_ json: JSONValue?) -> Result<WebhookFilter?, FieldProblems> {
        guard let json, json != .null else { return .success(nil) }
        return WebhookFilter.parse(json).map { $0 }
    }
}
