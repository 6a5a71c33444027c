import Foundation

/// Google Chat incoming webhook bodies: `{"text", "cardsV2"}`, a notification line and one card (header, the facts
/// as decorated texts, the reason, buttons).
///
/// Card texts take Google Chat's small HTML subset, so values are HTML-escaped; in `text` (Chat's own formatting,
/// where `<...>` makes links and mentions) angle brackets in values are replaced by look-alikes.
extension ChatMessage {
    var googleChatBody: JSONValue {
        var widgets: [JSONValue] = facts.map { fact in
            var decorated: [String: JSONValue] = [
                "topLabel": .string(fact.label), "text": .string(Self.htmlEscape(fact.value)), "wrapText": true,
            ]
            if let link = fact.link { decorated["onClick"] = .object(["openLink": .object(["url": .string(link)])]) }
            return .object(["decoratedText": .object(decorated)])
        }
        if let reason {
            widgets.append(
                .object(["textParagraph": .object(["text": .string("<b>Reason</b><br>" + Self.htmlEscape(reason))])]))
        }
        if !buttons.isEmpty {
            widgets.append(
                .object([
                    "buttonList": .object([
                        "buttons": .array(
                            buttons.map { button in
                                .object([
                                    "text": .string(button.title),
                                    "onClick": .object(["openLink": .object(["url": .string(button.url)])]),
                                ])
                            })
                    ])
                ]))
        }
        widgets.append(
            .object([
                "textParagraph": .object(["text": .string("<font color=\"#80868b\">\(Self.htmlEscape(footer))</font>")])
            ]))
        let card: JSONValue = .object([
            "header": .object([
                "title": .string(Self.cut(title, 200)), "subtitle": .string(Self.googleChatSubtitle(type)),
            ]),
            "sections": .array([.object(["widgets": .array(widgets)])]),
        ])
        return .object([
            "text": .string(Self.cut(Self.plainText(summary), 4000)),
            "cardsV2": .array([.object(["cardId": .string(type), "card": card])]),
        ])
    }

    static func googleChatSubtitle(_ type: String) -> String {
        switch type {
        case WebhookEventType.bookingConfirmed: "Booked in HubSpot"
        case WebhookEventType.bookingOffline: "HubSpot took the booking offline"
        case WebhookEventType.bookingFailed: "Not booked"
        case WebhookEventType.bookingNeedsReview: "A person must check HubSpot"
        default: type
        }
    }

    static func htmlEscape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\n": out += "<br>"
            default: out.append(character)
            }
        }
        return out
    }

    /// Text for Chat's plain `text`: no `<`/`>` (they would start a link or a mention).
    static func plainText(_ text: String) -> String {
        text.replacingOccurrences(of: "<", with: "‹").replacingOccurrences(of: ">", with: "›")
    }
}
