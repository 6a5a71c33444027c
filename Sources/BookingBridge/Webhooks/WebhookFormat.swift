/// The shape of the body a subscription receives (`format` on a subscription).
///
/// Every format is signed with the Standard Webhooks headers over exactly the bytes sent, and retried, paced,
/// disabled and replayed by the same rules; only the body (and for templates its content type) differs.
public enum WebhookFormat: String, Sendable, Codable, CaseIterable {
    /// The event itself, `{"type","timestamp","data"}`, byte for byte as stored.
    case standard
    /// A Slack incoming webhook message: `{"text", "blocks"}`.
    case slack
    /// A Microsoft Teams workflow ("Post to a channel when a webhook request is received") message carrying one
    /// Adaptive Card.
    case teams
    /// A Google Chat incoming webhook message: `{"text", "cardsV2"}`.
    case googlechat
    /// The subscription's own Mustache template.
    case template

    /// The requests per second a subscription of this format is paced to when it sets no `maxPerSecond`: the rate
    /// the chat service documents for one incoming webhook (Slack: one message a second; Google Chat: 60 writes a
    /// minute per space, webhooks included). Faster sends would only be answered 429.
    public var defaultMaxPerSecond: Int? {
        switch self {
        case .slack, .googlechat: 1
        case .standard, .teams, .template: nil
        }
    }

    /// Why `text` is not a format, or `nil`.
    public static func problem(with text: String) -> String? {
        WebhookFormat(rawValue: text) == nil
            ? "must be one of \(allCases.map(\.rawValue).joined(separator: ", "))" : nil
    }
}
