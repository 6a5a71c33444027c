/// Parsed templates, remembered by their text and content type (a changed template is simply parsed again).
/// Bounded like `ParsedSubscriptions`.
final class ParsedTemplates: Sendable {
    static let limit = 256
    private let state = LockedValue([String: WebhookTemplate]())

    func template(_ text: String, contentType: String) throws(WebhookTemplate.Invalid) -> WebhookTemplate {
        let key = contentType + "\n" + text
        if let known = state.withLock({ $0[key] }) { return known }
        let template = try WebhookTemplate(text, contentType: contentType)
        state.withLock { table in
            if table.count >= Self.limit { table.removeAll() }
            table[key] = template
        }
        return template
    }
}
