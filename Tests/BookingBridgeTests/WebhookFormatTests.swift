import Foundation
import Testing

@testable import BookingBridge

/// The chat formats' bodies, templates and payload filters, without a database: each chat body is compared with a
/// committed expected body (`Fixtures/formats/`). `UPDATE_FORMAT_FIXTURES=1` rewrites those files from the code
/// instead (for a deliberate change of a body; review the diff before committing it).
@Suite("Webhook formats")
struct WebhookFormatTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/formats")
    static let publicURL = "https://bridge.example.com/"

    static func delivery(
        _ format: WebhookFormat, body: String, template: String? = nil, contentType: String? = nil
    )
        -> ClaimedDelivery
    {
        ClaimedDelivery(
            id: 1, eventID: "evt_1", eventType: "booking.confirmed", body: body, attempt: 1, subscriptionID: UUID(),
            url: "https://hooks.example.com/x", secret: StandardWebhooks.Secret.generate().text, previousSecret: nil,
            previousSecretExpiresAt: nil, failingSince: nil, maxPerSecond: nil, format: format, template: template,
            contentType: contentType)
    }

    static func render(_ format: WebhookFormat, _ body: String, publicURL: String? = publicURL) throws -> WebhookPayload
    {
        try WebhookPayload.make(delivery(format, body: body), publicURL: publicURL, templates: ParsedTemplates()).get()
    }

    static func json(_ text: String) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary)
    }

    @Test(
        "Slack, Teams and Google Chat bodies for booking.confirmed, booking.failed and booking.needs_review match the committed bodies",
        arguments: [WebhookFormat.slack, .teams, .googlechat],
        [WebhookEventType.bookingConfirmed, WebhookEventType.bookingFailed, WebhookEventType.bookingNeedsReview])
    func chatBodies(format: WebhookFormat, type: String) throws {
        let payload = try Self.render(format, try #require(WebhookSampleEvents.body(for: type)))
        #expect(payload.contentType == "application/json")
        let file = Self.fixtures.appendingPathComponent("\(format.rawValue)/\(type).json")
        if ProcessInfo.processInfo.environment["UPDATE_FORMAT_FIXTURES"] != nil {
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            let pretty = try JSONSerialization.data(
                withJSONObject: JSONSerialization.jsonObject(with: Data(payload.body.utf8)),
                options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            try (String(decoding: pretty, as: UTF8.self) + "\n").write(to: file, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(try Self.json(payload.body) == Self.json(expected), "\(format) \(type): \(payload.body)")
    }

    @Test("chat bodies say who, when in the booking's zone and UTC, the link, the video and the console link")
    func chatFacts() throws {
        let slack = try Self.render(.slack, WebhookSampleEvents.bookingConfirmed).body
        for needle in [
            "Ada Lovelace", "ada@example.com", "Wed 6 May 2026, 15:00 Europe/London (14:00 UTC)", "sales-intro",
            "<mailto:jane.doe@example.com|Jane Doe (jane.doe@example.com)>",
            "https://zoom.us/j/123", "https://bridge.example.com/console/intents/5e0c9d4b-3c1a-4f6b-9e61-2b8f0c7a1d22",
        ] {
            #expect(slack.contains(needle), "slack body lacks \(needle)")
        }
        let failed = try Self.render(.teams, WebhookSampleEvents.bookingFailed).body
        #expect(failed.contains("The requested time is not available."))
        #expect(failed.contains("Someone else took the slot"))
        // Without server.publicURL there is no console link.
        let plain = try Self.render(.googlechat, WebhookSampleEvents.bookingConfirmed, publicURL: nil).body
        #expect(!plain.contains("/console/"))
        #expect(plain.contains("https://zoom.us/j/123"))
    }

    @Test("the rep is the personal link's owner from the booking info; team links and events without one name none")
    func repFromBookingInfo() throws {
        let fixture = Self.fixtures.deletingLastPathComponent().appendingPathComponent("hubspot/booking-info.json")
        let text = try String(contentsOf: fixture, encoding: .utf8)
        let personal = try JSONDecoder().decode(HubSpotBookingInfo.self, from: Data(text.utf8))
        #expect(
            BookingEventData.Rep.host(of: personal)
                == BookingEventData.Rep(userId: "5521", name: "Jane Doe", email: "jane@company.dev"))
        let roundRobin = try JSONDecoder().decode(
            HubSpotBookingInfo.self,
            from: Data(text.replacingOccurrences(of: "PERSONAL_LINK", with: "ROUND_ROBIN_CALENDAR").utf8))
        #expect(BookingEventData.Rep.host(of: roundRobin) == nil)
        var nameless = personal
        nameless.allUsersBusyTimes[0].meetingsUser?.userProfile = nil
        #expect(BookingEventData.Rep.host(of: nameless) == nil)

        // The needs-review example is on a round-robin link: no rep line in any chat format.
        for format in [WebhookFormat.slack, .teams, .googlechat] {
            let body = try Self.render(format, WebhookSampleEvents.bookingNeedsReview).body
            #expect(!body.contains("*Rep*") && !body.contains(#""Rep""#), "\(format): \(body)")
            let confirmed = try Self.render(format, WebhookSampleEvents.bookingConfirmed).body
            #expect(confirmed.contains("Jane Doe (jane.doe@example.com)"), "\(format): \(confirmed)")
        }
    }

    @Test("a guest's name cannot become a link or markup in any chat format")
    func chatEscaping() throws {
        let body = try WebhookEventBody.make(
            type: WebhookEventType.bookingConfirmed, timestamp: Date(timeIntervalSince1970: 0),
            data: [
                "firstName": "<https://evil.example|click> [me](https://evil.example) <b>x</b>", "lastName": "&",
                "email": "a@example.com", "slug": "s", "startTime": "2026-05-06T14:00:00.000Z", "timezone": "UTC",
                "intentId": "5e0c9d4b-3c1a-4f6b-9e61-2b8f0c7a1d22",
            ])
        // Headers are plain text in both services; every text that is parsed for links or markup is escaped.
        let slack = try Self.json(try Self.render(.slack, body).body)
        let slackText = try #require(slack["text"] as? String)
        let fields = try #require(((slack["blocks"] as? [[String: Any]])?[1]["fields"] as? [[String: Any]]))
        for text in [slackText] + fields.compactMap({ $0["text"] as? String }) {
            #expect(!text.contains("<https://evil.example|click>") && !text.contains("<b>"), "\(text)")
        }
        #expect(slackText.contains("&lt;https://evil.example|click&gt;"))
        let teams = try Self.render(.teams, body).body
        #expect(teams.contains(#"\\[me\\](https://evil.example)"#))
        let chat = try Self.render(.googlechat, body).body
        #expect(
            chat.contains(
                #""text":"&lt;https://evil.example|click&gt; [me](https://evil.example) &lt;b&gt;x&lt;/b&gt;"#))
        let chatText = try #require(try Self.json(chat)["text"] as? String)
        #expect(!chatText.contains("<"))
    }

    @Test("a template with a name holding quotes, backslashes and a newline renders valid JSON with that exact name")
    func templateEscapesJSON() throws {
        let name = "O\"Brien \\ the \"Great\"\nSecond line\t\u{1}"
        let body = try WebhookEventBody.make(
            type: WebhookEventType.bookingConfirmed, timestamp: Date(timeIntervalSince1970: 0),
            data: ["firstName": name, "durationMinutes": "30"])
        let template = """
            {"text": "{{type}}: {{data.firstName}}",
             "minutes": {{data.durationMinutes}}{{#data.missing}}, "never": 1{{/data.missing}}}
            """
        let payload = try WebhookPayload.make(
            Self.delivery(.template, body: body, template: template), publicURL: nil, templates: ParsedTemplates()
        ).get()
        #expect(payload.contentType == "application/json")
        let object = try Self.json(payload.body)
        #expect(object["text"] as? String == "booking.confirmed: \(name)")
        #expect(object["minutes"] as? Int == 30)
        #expect(object["never"] == nil)
    }

    @Test("other content types escape for themselves; a text template is sent as it renders")
    func templateContentTypes() throws {
        let body = WebhookSampleEvents.bookingNeedsReview
        let form = try WebhookPayload.make(
            Self.delivery(
                .template, body: body, template: "name={{data.firstName}}&type={{type}}",
                contentType: "application/x-www-form-urlencoded"), publicURL: nil, templates: ParsedTemplates()
        ).get()
        #expect(form.body == "name=Edsger%20%22E.W.%22&type=booking.needs_review")
        #expect(form.contentType == "application/x-www-form-urlencoded")
        let text = try WebhookPayload.make(
            Self.delivery(
                .template, body: body, template: "{{data.firstName}} <{{data.email}}>", contentType: "text/plain"),
            publicURL: nil, templates: ParsedTemplates()
        ).get()
        #expect(text.body == "Edsger \"E.W.\" <edsger@example.com>")
    }

    @Test("a template that does not parse, or renders invalid JSON, is refused naming the line")
    func badTemplates() throws {
        func problems(_ template: String?, format: String? = "template", contentType: String? = nil) -> [String] {
            switch SubscriptionValidation.body(
                format: format, template: template, contentType: contentType, eventTypes: ["booking.*"])
            {
            case .success: return []
            case .failure(let failure): return failure.errors.map { "\($0.field): \($0.message)" }
            }
        }
        let unclosed = problems("{\n  \"text\": \"{{#data.booking}}{{subject}}\"\n}")
        #expect(unclosed.count == 1)
        #expect(unclosed.first?.hasPrefix("template: does not parse: line ") == true, "\(unclosed)")
        let badTag = problems("{\n  \"a\": 1,\n  \"text\": \"{{data.firstName\"\n}")
        #expect(badTag.first?.contains("line 3") == true, "\(badTag)")
        // Valid Mustache, but a trailing comma: not JSON.
        let trailing = problems("{\n  \"text\": \"{{data.firstName}}\",\n}")
        #expect(trailing.first?.contains("renders invalid JSON") == true, "\(trailing)")
        #expect(trailing.first?.contains("line 3") == true, "\(trailing)")
        // Unescaped, the sample guest's quote breaks the JSON: refused before a real one does.
        let raw = problems("{\"text\": \"{{{data.firstName}}}\"}")
        #expect(raw.first?.contains("booking.needs_review") == true, "\(raw)")
        #expect(problems(nil) == [#"template: is required with "format": "template""#])
        #expect(problems("{}", format: "slack").first?.hasPrefix("template: is only for") == true)
        #expect(problems("{}", format: "sms").first?.hasPrefix("format: must be one of standard") == true)
        #expect(problems("x", contentType: "no type").first?.hasPrefix("contentType: must be a media type") == true)
        // A valid JSON template and a non-JSON one are accepted.
        #expect(problems("{\"text\": \"{{data.firstName}} booked\"}").isEmpty)
        #expect(problems("Hello {{data.firstName}}", contentType: "text/plain; charset=utf-8").isEmpty)
        #expect(problems(nil, format: nil).isEmpty)
    }

    @Test("filters: conditions compile to one jsonpath predicate; unknown paths and bad operators are refused")
    func filters() throws {
        let json = try JSONDecoder().decode(
            JSONValue.self,
            from: Data(
                #"{"data.source": "website", "data.status": ["booked", "offline"], "data.durationMinutes": {"gte": 30}, "data.booking.webConferenceUrl": {"exists": true}, "type": "booking.\"x\""}"#
                    .utf8))
        let filter = try WebhookFilter.parse(json).get()
        #expect(
            filter.jsonPath
                == #"$ ? (exists(@."data"."booking"."webConferenceUrl") && @."data"."durationMinutes" >= 30 && @."data"."source" == "website" && (@."data"."status" == "booked" || @."data"."status" == "offline") && @."type" == "booking.\"x\"")"#
        )
        #expect(WebhookFilter(storedText: filter.jsonText) == filter)
        func refusal(_ text: String) throws -> [String] {
            let value = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
            switch WebhookFilter.parse(value) {
            case .success: return []
            case .failure(let failure): return failure.errors.map { "\($0.field): \($0.message)" }
            }
        }
        #expect(try refusal(#"{"data.sorce": "web"}"#).first?.hasPrefix(#"filter["data.sorce"]: unknown path"#) == true)
        #expect(
            try refusal(#"{"data.durationMinutes": {"gt": 30}}"#).first?.contains("unknown operator \"gt\"") == true)
        #expect(try refusal(#"{"data.source": {"exists": "yes"}}"#).count == 1)
        #expect(try refusal(#"{"data.source": [{"a": 1}]}"#).count == 1)
        #expect(try refusal(#"{}"#).count == 1)
        #expect(try refusal(#"["data.source"]"#).count == 1)
    }

    @Test("the template example in docs/webhooks.md renders what the page shows, for a booking and for a failure")
    func docsTemplateExample() throws {
        let template = """
            {
              "event": "{{type}}",
              "contact": {"email": "{{data.email}}", "name": "{{data.firstName}} {{data.lastName}}"},
              "minutes": {{data.durationMinutes}},
              "meeting": {{#data.booking}}{"id": "{{calendarEventId}}", "start": "{{start}}", "video": "{{webConferenceUrl}}"}{{/data.booking}}{{^data.booking}}null{{/data.booking}},
              "error": {{#data.reason}}"{{message}}"{{/data.reason}}{{^data.reason}}null{{/data.reason}}
            }
            """
        #expect(
            SubscriptionValidation.body(
                format: "template", template: template, contentType: nil,
                eventTypes: ["booking.confirmed", "booking.failed"])
                == .success(.init(format: .template, template: template, contentType: nil)))
        // subscription.disabled has no durationMinutes: `"minutes": ,` is refused for a subscription that gets it.
        #expect(
            SubscriptionValidation.body(format: "template", template: template, contentType: nil, eventTypes: ["*"])
                != .success(.init(format: .template, template: template, contentType: nil)))
        let parsed = try WebhookTemplate(template)
        let booked = try Self.json(try parsed.render(eventBody: WebhookSampleEvents.bookingConfirmed))
        let expected = try Self.json(
            #"{"event": "booking.confirmed", "contact": {"email": "ada@example.com", "name": "Ada Lovelace"}, "minutes": 30, "meeting": {"id": "AAMkAGI2TG93AAA=", "start": "2026-05-06T14:00:00.000Z", "video": "https://zoom.us/j/123"}, "error": null}"#
        )
        #expect(booked == expected)
        let failed = try Self.json(try parsed.render(eventBody: WebhookSampleEvents.bookingFailed))
        #expect(failed["meeting"] is NSNull)
        #expect(failed["error"] as? String == "The requested time is not available")
    }
}
