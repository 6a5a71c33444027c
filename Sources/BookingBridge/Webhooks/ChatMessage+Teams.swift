import Foundation

/// Microsoft Teams bodies for a Workflows webhook ("Post to a channel when a webhook request is received"): a
/// `message` with one Adaptive Card attachment, the shape the workflow's "Post card" step reads. Workflows take
/// Adaptive Cards only (not the retired connectors' MessageCard); version 1.4 renders in every Teams client.
///
/// Adaptive Card text is Markdown, so Markdown's link and emphasis characters in values are escaped with a
/// backslash (a guest's name cannot become a link).
extension ChatMessage {
    var teamsBody: JSONValue {
        var body: [JSONValue] = [
            .object([
                "type": "TextBlock", "text": .string(Self.teamsEscape(title)), "weight": "Bolder", "size": "Medium",
                "wrap": true, "color": .string(Self.teamsColor(tone)),
            ])
        ]
        if !facts.isEmpty {
            body.append(
                .object([
                    "type": "FactSet",
                    "facts": .array(
                        facts.map {
                            .object(["title": .string($0.label), "value": .string(Self.teamsEscape($0.value))])
                        }
                    ),
                ]))
        }
        if let reason {
            body.append(
                .object([
                    "type": "TextBlock", "text": .string(Self.teamsEscape(reason)), "wrap": true,
                    "color": .string(tone == .bad ? "Attention" : "Warning"),
                ]))
        }
        body.append(
            .object([
                "type": "TextBlock", "text": .string(Self.teamsEscape(footer)), "wrap": true, "isSubtle": true,
                "size": "Small",
            ]))
        var card: [String: JSONValue] = [
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard",
            "version": "1.4",
            "msteams": .object(["width": "Full"]),
            "body": .array(body),
        ]
        if !buttons.isEmpty {
            card["actions"] = .array(
                buttons.map { .object(["type": "Action.OpenUrl", "title": .string($0.title), "url": .string($0.url)]) })
        }
        return .object([
            "type": "message",
            "summary": .string(Self.cut(summary, 250)),
            "attachments": .array([
                .object([
                    "contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": .null,
                    "content": .object(card),
                ])
            ]),
        ])
    }

    static func teamsColor(_ tone: Tone) -> String {
        switch tone {
        case .good: "Good"
        case .warning: "Warning"
        case .bad: "Attention"
        case .neutral: "Default"
        }
    }

    /// Backslash before the Markdown characters that make links, bold and code.
    static func teamsEscape(_ text: String) -> String {
        var out = ""
        for character in text {
            if "\\*[]`<>".contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }
}
