import Foundation

/// Slack incoming webhook bodies: `{"text", "blocks"}` (Block Kit).
///
/// `text` is the notification and fallback line; `blocks` show a header, the facts as a two-column section, the
/// reason, buttons and a context line. Values go into `mrkdwn`, where Slack asks for `&`, `<` and `>` to be
/// escaped (so a guest's name cannot become a link or a mention); lengths stay within Block Kit's limits (header
/// 150, field 2000, section 3000, button text 75 characters), beyond which Slack answers 400 `invalid_blocks`.
extension ChatMessage {
    var slackBody: JSONValue {
        var blocks: [JSONValue] = [
            .object([
                "type": "header",
                "text": .object(["type": "plain_text", "text": .string(Self.cut(title, 150)), "emoji": false]),
            ])
        ]
        if !facts.isEmpty {
            blocks.append(
                .object([
                    "type": "section",
                    "fields": .array(
                        facts.prefix(10).map { fact in
                            let value =
                                fact.link.map { "<\(Self.slackURL($0))|\(Self.slackEscape(fact.value))>" }
                                ?? Self.slackEscape(fact.value)
                            return .object([
                                "type": "mrkdwn", "text": .string(Self.cut("*\(fact.label)*\n\(value)", 2000)),
                            ])
                        }),
                ]))
        }
        if let reason {
            blocks.append(
                .object([
                    "type": "section",
                    "text": .object([
                        "type": "mrkdwn", "text": .string(Self.cut("*Reason*\n\(Self.slackEscape(reason))", 3000)),
                    ]),
                ]))
        }
        if !buttons.isEmpty {
            blocks.append(
                .object([
                    "type": "actions",
                    "elements": .array(
                        buttons.map { button in
                            .object([
                                "type": "button",
                                "text": .object(["type": "plain_text", "text": .string(Self.cut(button.title, 75))]),
                                "url": .string(button.url),
                            ])
                        }),
                ]))
        }
        blocks.append(
            .object([
                "type": "context",
                "elements": .array([.object(["type": "mrkdwn", "text": .string(Self.slackEscape(footer))])]),
            ]))
        return .object(["text": .string(Self.cut(Self.slackEscape(summary), 3000)), "blocks": .array(blocks)])
    }

    /// Slack's three control characters in message text, as it documents.
    static func slackEscape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.append(character)
            }
        }
        return out
    }

    /// A URL inside `<url|text>`: the characters that would end it are percent-encoded.
    static func slackURL(_ url: String) -> String {
        url.replacingOccurrences(of: "|", with: "%7C").replacingOccurrences(of: ">", with: "%3E")
            .replacingOccurrences(of: "<", with: "%3C")
    }
}
