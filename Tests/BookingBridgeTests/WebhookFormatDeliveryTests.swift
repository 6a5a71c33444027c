import Foundation
import HubSpotSandbox
import NIOHTTP1
import PostgresNIO
import Testing

@testable import BookingBridge

/// Formats and filters with a real database, dispatcher and receiver: filters are applied when the event is
/// written (no delivery row at all), every format is signed, and one real booking reaches three subscribers each
/// as it should.
@Suite("Webhook formats and filters, delivered", .serialized)
struct WebhookFormatDeliveryTests {
    struct BookingLike: Codable, Sendable {
        var intentId: String
        var source: String
        var status: String
        var durationMinutes: Int
        var email = "ada@example.com"
        var firstName = "Ada"
        var lastName = "Lovelace"
        var slug = "sales-intro"
        var startTime = "2026-05-06T14:00:00.000Z"
        var timezone = "Europe/London"
    }

    static func filter(_ text: String) throws -> WebhookFilter {
        try JSONDecoder().decode(WebhookFilter.self, from: Data(text.utf8))
    }

    @Test("an event a filter excludes gets no delivery row; one it admits gets one; other subscriptions are unaffected")
    func filtersAtWrite() async throws {
        try await TestWebhooks.run { h in
            let store = SubscriptionStore(database: h.database)
            let all = try await store.create(NewSubscription(url: h.url("/all"), eventTypes: ["*"]))
            let long = try await store.create(
                NewSubscription(
                    url: h.url("/long"), eventTypes: ["booking.*"],
                    filter: try Self.filter(
                        #"{"data.source": "website", "data.status": ["booked", "offline"], "data.durationMinutes": {"gte": 30}}"#
                    )))
            let reviewed = try await store.create(
                NewSubscription(
                    url: h.url("/reviewed"), eventTypes: ["*"],
                    filter: try Self.filter(#"{"data.booking.resolvedBy": {"exists": true}}"#)))
            let events: [(BookingLike, Bool)] = [
                (BookingLike(intentId: "1", source: "website", status: "booked", durationMinutes: 30), true),
                (BookingLike(intentId: "2", source: "website", status: "offline", durationMinutes: 45), true),
                (BookingLike(intentId: "3", source: "website", status: "booked", durationMinutes: 15), false),
                (BookingLike(intentId: "4", source: "other", status: "booked", durationMinutes: 60), false),
                (BookingLike(intentId: "5", source: "website", status: "failed", durationMinutes: 60), false),
            ]
            var admitted: [String] = []
            var excluded: [String] = []
            for (data, passes) in events {
                let id = try await h.database.client.withTransaction(logger: TestWebhooks.logger) { connection in
                    try await Outbox.enqueue(
                        type: WebhookEventType.bookingConfirmed, data: data, source: data.source, intentID: nil,
                        on: connection, logger: TestWebhooks.logger)
                }
                if passes { admitted.append(id) } else { excluded.append(id) }
            }
            #expect(try await h.deliveries(subscription: all.id).count == events.count)
            #expect(Set(try await h.deliveries(subscription: long.id).map(\.eventID)) == Set(admitted))
            #expect(try await h.deliveries(subscription: reviewed.id).isEmpty)
            for id in excluded {
                #expect(try await h.deliveries(event: id).map(\.subscriptionID) == [all.id])
            }
            // Removing the filter admits the next event.
            _ = try await store.update(id: long.id, SubscriptionChanges(filter: .some(nil)))
            let next = try await h.enqueue()
            #expect(try await h.deliveries(event: next).count == 2)
        }
    }

    @Test("BRIDGE_CONFIG subscriptions take format, template and filter; a bad one stops start-up naming the field")
    func seeded() async throws {
        try await TestWebhooks.run { h in
            let seeds = try JSONDecoder().decode(
                [SubscriptionSeed].self,
                from: Data(
                    #"[{"url": "https://hooks.example.com/slack", "format": "slack", "filter": {"data.source": "web"}}, {"url": "https://hooks.example.com/crm", "template": "{\"who\": \"{{data.email}}\"}", "contentType": "application/vnd.crm+json"}]"#
                        .utf8))
            try await SubscriptionSeeder.seed(seeds, database: h.database, logger: TestWebhooks.logger)
            // Created in one transaction (one created_at): ordered by URL here, not by the list's order.
            let stored = try await SubscriptionStore(database: h.database).list().sorted { $0.url > $1.url }
            #expect(stored.map(\.format) == [.slack, .template])
            #expect(stored[0].maxPerSecond == 1)
            #expect(stored[0].filter == (try Self.filter(#"{"data.source": "web"}"#)))
            #expect(stored[1].contentType == "application/vnd.crm+json")
            let bad = try JSONDecoder().decode(
                [SubscriptionSeed].self,
                from: Data(
                    #"[{"url": "https://hooks.example.com/x", "format": "template", "template": "{{#a}}", "filter": {"data.x": 1}}]"#
                        .utf8))
            await #expect {
                try await SubscriptionSeeder.seed(bad, database: h.database, logger: TestWebhooks.logger)
            } throws: { error in
                let text = "\(error)"
                return text.contains("template: does not parse") && text.contains(#"filter["data.x"]: unknown path"#)
            }
            #expect(try await SubscriptionStore(database: h.database).list().count == 2)
        }
    }

    @Test("slack, teams, googlechat and template subscriptions get their own bodies, signed over the bytes sent")
    func formatsSigned() async throws {
        try await TestWebhooks.run { h in
            let store = SubscriptionStore(database: h.database)
            var secrets: [String: String] = [:]
            for (path, format, template, type) in [
                ("/slack", WebhookFormat.slack, nil, nil), ("/teams", .teams, nil, nil),
                ("/googlechat", .googlechat, nil, nil),
                ("/template", .template, #"{"who": "{{data.note}}"}"#, nil),
                ("/text", .template, "note={{data.note}}", "text/plain"),
            ] as [(String, WebhookFormat, String?, String?)] {
                let subscription = try await store.create(
                    NewSubscription(
                        url: h.url(path), eventTypes: ["*"], format: format, template: template, contentType: type))
                try await h.log.register(path: path, secret: subscription.secret)
                secrets[path] = subscription.secret
            }
            try await h.enqueue()
            try await h.withDispatcher { _ in
                try await eventually(timeout: .seconds(20), "five deliveries") {
                    try await h.deliveries().filter { $0.status == .delivered }.count == 5
                }
            }
            for path in ["/slack", "/teams", "/googlechat", "/template", "/text"] {
                let received = await h.log.on(path)
                #expect(received.count == 1, "\(path)")
                #expect(received.first?.verified == true, "\(path) signature")
            }
            let slack = try #require(await h.log.on("/slack").first)
            let slackJSON = try #require(try JSONSerialization.jsonObject(with: Data(slack.body)) as? [String: Any])
            #expect(slackJSON["blocks"] is [Any])
            #expect(slackJSON["text"] is String)
            let teams = try #require(await h.log.on("/teams").first)
            #expect(String(decoding: teams.body, as: UTF8.self).contains("application/vnd.microsoft.card.adaptive"))
            let template = try #require(await h.log.on("/template").first)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(template.body)) as? [String: Any])
            #expect(object["who"] as? String == "héllo \"quoted\"")
            #expect(template.contentType == "application/json")
            let text = try #require(await h.log.on("/text").first)
            #expect(String(decoding: text.body, as: UTF8.self) == "note=héllo \"quoted\"")
            #expect(text.contentType == "text/plain")
        }
    }

    @Test("end to end: one booking, three subscribers (standard, slack, filtered out): each gets exactly its part")
    func oneBookingThreeSubscribers() async throws {
        try await TestReceiver.run { port, log in
            try await TestBridge.run(configure: { $0.publicURL = "https://bridge.example.com" }) { bridge in
                let auth = [("Authorization", "Bearer \(bridge.adminToken)"), ("Content-Type", "application/json")]
                var ids: [String: String] = [:]
                for (path, extra) in [
                    ("/standard", ""), ("/slack", #","format":"slack""#),
                    ("/filtered", #","filter":{"data.source":"rr","data.durationMinutes":{"gte":30}}"#),
                ] {
                    let answer = try await bridge.request(
                        .POST, "/v1/subscriptions", headers: auth,
                        body: Data(
                            #"{"url":"http://127.0.0.1:\#(port)\#(path)","eventTypes":["booking.*"]\#(extra)}"#.utf8))
                    #expect(answer.status == 201, "\(String(decoding: answer.body, as: UTF8.self))")
                    let json = try #require(answer.json)
                    try await log.register(path: path, secret: try #require(json["secret"] as? String))
                    ids[path] = try #require(json["id"] as? String)
                    if path == "/slack" {
                        #expect(json["format"] as? String == "slack")
                        #expect(json["maxPerSecond"] as? Int == 1)
                    }
                    if path == "/filtered" { #expect(json["filter"] is [String: Any]) }
                }
                let slot = try #require(
                    try await bridge.freeSlots(
                        slug: SandboxSeeds.personalLinkSlug, timezone: "Europe/London", minutes: 30
                    ).dropFirst(2).first)
                let answer = try await bridge.submit(
                    "web",
                    [
                        "email": "grace@lovelace.dev", "firstName": "Grace \"Amazing\"", "lastName": "Hopper",
                        "startTime": slot.iso,
                    ])
                #expect(answer.status == 202)
                let idText = try #require(answer.json?["id"] as? String)
                let intentID = try #require(UUID(uuidString: idText))
                let intent = try await bridge.waitForFinal(intentID)
                #expect(intent.status == .booked)
                try await eventually(timeout: .seconds(20), "the standard and slack deliveries") {
                    let standard = await log.on("/standard").count
                    let slack = await log.on("/slack").count
                    return standard == 1 && slack == 1
                }
                // The event was written with the booking: the filtered subscription never got a delivery row.
                #expect(
                    try await bridge.count(
                        "SELECT count(*) FROM deliveries WHERE subscription_id = '\(ids["/filtered"]!)'") == 0)
                #expect(try await bridge.count("SELECT count(*) FROM deliveries") == 2)
                try await Task.sleep(for: .milliseconds(500))
                #expect(await log.on("/filtered").isEmpty)

                let standard = try #require(await log.on("/standard").first)
                #expect(standard.verified)
                let stored = try await bridge.count(
                    "SELECT count(*) FROM events WHERE id = '\(standard.id ?? "")' AND type = 'booking.confirmed'")
                #expect(stored == 1)
                let event = try #require(try JSONSerialization.jsonObject(with: Data(standard.body)) as? [String: Any])
                #expect(event["type"] as? String == "booking.confirmed")
                let data = try #require(event["data"] as? [String: Any])
                #expect(data["firstName"] as? String == "Grace \"Amazing\"")
                // The personal link's owner, as the sandbox's booking info names her.
                let rep = try #require(data["rep"] as? [String: Any], "\(data)")
                #expect(rep["userId"] as? String == SandboxSeeds.janeUserId)
                #expect(rep["name"] as? String == "Jane Doe")
                #expect(rep["email"] as? String == "jane@company.dev")

                let slack = try #require(await log.on("/slack").first)
                #expect(slack.verified)
                #expect(slack.id == standard.id)
                let message = try #require(try JSONSerialization.jsonObject(with: Data(slack.body)) as? [String: Any])
                let text = try #require(message["text"] as? String)
                #expect(text.hasPrefix("New booking: Grace \"Amazing\" Hopper"))
                let blocks = try #require(message["blocks"] as? [[String: Any]])
                #expect(blocks.first?["type"] as? String == "header")
                let rendered = String(decoding: slack.body, as: UTF8.self)
                #expect(rendered.contains("mailto:grace@lovelace.dev"))
                #expect(
                    rendered.contains("*Rep*\\n<mailto:jane@company.dev|Jane Doe (jane@company.dev)>"), "\(rendered)")
                // When: in the link's zone (the web source books in Europe/London) and in UTC.
                let when = ChatMessage.describe(slot, zone: "Europe/London")
                #expect(text.contains(when), "\(text) lacks \(when)")
                #expect(
                    rendered.contains(
                        "https://bridge.example.com/console/intents/\(intentID.uuidString.lowercased())"))
            }
        }
    }
}
