/// The bytes one delivery sends and their content type.
struct WebhookPayload: Sendable, Equatable {
    var body: String
    var contentType: String

    /// The payload of `delivery` in its subscription's format, made from the stored event at each attempt (so a
    /// template fixed after a failure applies to the redelivery). `standard` is the stored body itself; the other
    /// formats are rendered. Fails with a sentence when the event cannot be rendered (a template whose unescaped
    /// `{{{...}}}` value broke its JSON): the attempt is recorded as refused with that reason.
    static func make(
        _ delivery: ClaimedDelivery, publicURL: String?, templates: ParsedTemplates
    ) -> Result<WebhookPayload, WebhookTemplate.Invalid> {
        switch delivery.format {
        case .standard:
            return .success(WebhookPayload(body: delivery.body, contentType: "application/json"))
        case .slack, .teams, .googlechat:
            guard let message = ChatMessage(eventBody: delivery.body, publicURL: publicURL) else {
                return .failure(.init(description: "the event body is not an event"))
            }
            let body: JSONValue =
                switch delivery.format {
                case .slack: message.slackBody
                case .teams: message.teamsBody
                default: message.googleChatBody
                }
            return .success(WebhookPayload(body: body.canonicalText, contentType: "application/json"))
        case .template:
            let contentType = delivery.contentType ?? WebhookTemplate.defaultContentType
            do {
                let template = try templates.template(delivery.template ?? "", contentType: contentType)
                let body = try template.render(eventBody: delivery.body)
                if template.rendersJSON, let problem = JSONSyntax.problem(in: body) {
                    return .failure(
                        .init(
                            description:
                                "the template rendered invalid JSON for this event at line \(problem.line): \(problem.message)"
                        ))
                }
                return .success(WebhookPayload(body: body, contentType: contentType))
            } catch {
                return .failure(error)
            }
        }
    }
}
