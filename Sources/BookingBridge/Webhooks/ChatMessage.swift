import Foundation

/// What a chat message says about an event, read from the stored event body: who booked, when (in the booking's
/// time zone and UTC), which link and rep, the video link, for failures the reason in plain words, and a link to the
/// intent in the console when `server.publicURL` is set. The Slack, Teams and Google Chat formats lay the same
/// facts out in each service's own message shape (`ChatMessage+Slack.swift`, ...).
struct ChatMessage: Sendable, Equatable {
    struct Fact: Sendable, Equatable {
        var label: String
        var value: String
        /// A mailto or web address the value links to.
        var link: String?
    }

    struct Button: Sendable, Equatable {
        var title: String
        var url: String
    }

    /// How the event reads at a glance, for colour or an emoji.
    enum Tone: Sendable, Equatable { case good, warning, bad, neutral }

    var type: String
    /// The headline, e.g. "New booking: Ada Lovelace".
    var title: String
    var tone: Tone
    var facts: [Fact]
    /// For failures and reviews: what went wrong and what to do, in sentences.
    var reason: String?
    var buttons: [Button]
    /// One line of small print: event type, source, intent id.
    var footer: String
    /// The whole message as one line, for notifications and clients that show no cards.
    var summary: String

    /// Reads the event; `nil` when the body is not an event.
    init?(eventBody: String, publicURL: String?) {
        guard let event = try? JSONCoding.decoder.decode(JSONValue.self, from: Data(eventBody.utf8)),
            case .object(let envelope) = event, case .string(let type)? = envelope["type"]
        else { return nil }
        let data = envelope["data"]?.objectValue ?? [:]
        self.type = type
        facts = []
        buttons = []
        reason = nil
        if type == WebhookEventType.subscriptionDisabled {
            let url = data["url"]?.stringValue ?? "?"
            title = "Webhook subscription disabled"
            tone = .bad
            facts.append(Fact(label: "Subscription", value: data["description"]?.stringValue ?? url))
            facts.append(Fact(label: "URL", value: url))
            let why =
                data["reason"]?.stringValue == "gone"
                ? "It answered 410 Gone." : "Every attempt failed for too long."
            var detail = why
            if case .integer(let status)? = data["lastStatusCode"] { detail += " Last answer: HTTP \(status)." }
            if let error = data["lastError"]?.stringValue { detail += " Last error: \(error)." }
            reason = detail + " Its events wait until it is enabled again."
            footer = "subscription.disabled · \(data["subscriptionId"]?.stringValue ?? "")"
            summary = "\(title): \(url)"
            return
        }
        let name = [data["firstName"]?.stringValue, data["lastName"]?.stringValue].compactMap { $0 }
            .filter { !$0.isEmpty && $0 != "-" }.joined(separator: " ")
        let who = name.isEmpty ? (data["email"]?.stringValue ?? "someone") : name
        (title, tone) = Self.heading(type: type, who: who)
        let booking = data["booking"]?.objectValue
        if let email = data["email"]?.stringValue {
            facts.append(
                Fact(label: "Who", value: name.isEmpty ? email : "\(name) (\(email))", link: "mailto:\(email)"))
        }
        let startText = booking?["start"]?.stringValue ?? data["startTime"]?.stringValue
        let zone = booking?["bookingTimezone"]?.stringValue ?? data["timezone"]?.stringValue ?? "UTC"
        if let startText, let start = Self.parseDate(startText) {
            var minutes = ""
            if case .integer(let duration)? = booking?["durationMinutes"] ?? data["durationMinutes"] {
                minutes = ", \(duration) min"
            }
            facts.append(Fact(label: "When", value: Self.describe(start, zone: zone) + minutes))
        }
        if let slug = data["slug"]?.stringValue {
            let subject = booking?["subject"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
            facts.append(Fact(label: "Link", value: subject.map { "\(slug) (\($0))" } ?? slug))
        }
        if let rep = data["rep"]?.objectValue.flatMap(Self.repFact) { facts.append(rep) }
        if let location = booking?["location"]?.stringValue, !location.isEmpty {
            facts.append(Fact(label: "Where", value: location))
        }
        if let video = booking?["webConferenceUrl"]?.stringValue, Self.isWebURL(video) {
            facts.append(Fact(label: "Video", value: video, link: video))
            buttons.append(Button(title: "Join the video call", url: video))
        }
        if let reasonObject = data["reason"]?.objectValue {
            reason = Self.plainReason(reasonObject, type: type, zone: zone)
        }
        if let base = publicURL.flatMap(Self.consoleBase), let id = data["intentId"]?.stringValue,
            id.allSatisfy({ $0.isHexDigit || $0 == "-" })
        {
            buttons.append(Button(title: "Open in the console", url: "\(base)/console/intents/\(id)"))
        }
        let source = data["source"]?.stringValue.map { " · source \($0)" } ?? ""
        footer = "\(type)\(source) · intent \(data["intentId"]?.stringValue ?? "?")"
        let when = facts.first(where: { $0.label == "When" }).map { ", \($0.value)" } ?? ""
        summary = title + when + (reason.map { ". \($0)" } ?? "")
    }

    /// The message's title and tone for a booking event about `who`.
    static func heading(type: String, who: String) -> (String, Tone) {
        switch type {
        case WebhookEventType.bookingConfirmed: ("New booking: \(who)", .good)
        case WebhookEventType.bookingOffline: ("Booking taken offline: \(who)", .warning)
        case WebhookEventType.bookingFailed: ("Booking failed: \(who)", .bad)
        case WebhookEventType.bookingNeedsReview: ("Booking needs review: \(who)", .warning)
        default: ("\(type): \(who)", .neutral)
        }
    }

    /// "Jane Doe (jane@company.dev)", linked to the rep's e-mail; `nil` when the event names no rep.
    static func repFact(_ rep: [String: JSONValue]) -> Fact? {
        let name = rep["name"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let email = rep["email"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        guard let shown = name ?? email else { return nil }
        let value = name.flatMap { name in email.map { "\(name) (\($0))" } } ?? shown
        return Fact(label: "Rep", value: value, link: email.map { "mailto:\($0)" })
    }

    /// The failure in words a person can act on: HubSpot's or the bridge's message, what a known HubSpot error
    /// means, and the next free times HubSpot suggested.
    static func plainReason(_ reason: [String: JSONValue], type: String, zone: String) -> String {
        var parts: [String] = []
        let message = reason["message"]?.stringValue ?? "no reason was given"
        parts.append(message.prefix(1).uppercased() + message.dropFirst() + (message.hasSuffix(".") ? "" : "."))
        switch reason["subCategory"]?.stringValue ?? reason["category"]?.stringValue {
        case "MeetingsBookingError.TIME_NOT_AVAILABLE"?:
            parts.append("Someone else took the slot; offer the guest another time.")
        case "MeetingsBookingError.INVALID_EMAIL"?, "INVALID_EMAIL"?:
            parts.append("HubSpot refused the guest's e-mail address.")
        default:
            break
        }
        switch reason["origin"]?.stringValue {
        case "network"? where type == WebhookEventType.bookingNeedsReview:
            parts.append("Check the calendar in HubSpot before booking again; the bridge never books twice on a guess.")
        case "hubspot"?:
            if let category = reason["category"]?.stringValue { parts.append("(HubSpot: \(category))") }
        default:
            break
        }
        if case .array(let times)? = reason["suggestedStartTimes"] {
            let free = times.compactMap { $0.stringValue.flatMap(parseDate) }.prefix(3)
                .map { describe($0, zone: zone) }
            if !free.isEmpty { parts.append("Free instead: " + free.joined(separator: "; ") + ".") }
        }
        return parts.joined(separator: " ")
    }

    /// "Wed 6 May 2026, 15:00 Europe/London (14:00 UTC)".
    static func describe(_ date: Date, zone: String) -> String {
        let timeZone = TimeZone(identifier: zone) ?? TimeZone(identifier: "UTC")!
        let local = format(date, "EEE d MMM yyyy, HH:mm", timeZone)
        guard timeZone.identifier != "UTC", timeZone.identifier != "GMT" else { return "\(local) UTC" }
        return "\(local) \(timeZone.identifier) (\(format(date, "HH:mm", TimeZone(identifier: "UTC")!)) UTC)"
    }

    private static func format(_ date: Date, _ pattern: String, _ zone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = pattern
        return formatter.string(from: date)
    }

    static func parseDate(_ text: String) -> Date? {
        (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
            ?? (try? Date(text, strategy: .iso8601))
    }

    static func isWebURL(_ text: String) -> Bool {
        guard text.count <= 2000, let url = URL(string: text), let scheme = url.scheme?.lowercased() else {
            return false
        }
        return (scheme == "https" || scheme == "http") && url.host != nil
    }

    /// `publicURL` without its trailing slash, when it is a web address.
    static func consoleBase(_ publicURL: String) -> String? {
        var base = publicURL
        while base.hasSuffix("/") { base.removeLast() }
        return isWebURL(base) ? base : nil
    }

    /// `text` cut to `limit` characters, with an ellipsis when cut (chat services refuse over-long fields).
    static func cut(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}

/// (`stringValue` and `objectValue` are in Intake/JSONValue+Access.swift.)
extension JSONValue {
    /// Compact JSON, keys sorted, slashes unescaped: the same value always gives the same bytes.
    var canonicalText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral {
    init(stringLiteral value: String) { self = .string(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
}
