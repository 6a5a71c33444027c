import BookingBridge
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `format`, `template`, `contentType` and `filter` on the subscription admin API: accepted and shown back, or
/// refused with 422 naming the field (and the template's line), leaving the subscription as it was.
@Suite("Webhook formats on the admin API")
struct WebhookFormatAPITests {
    static func errors(_ response: TestResponse) -> [String: String] {
        let list = response.object["errors"] as? [[String: Any]] ?? []
        return Dictionary(
            list.map { ($0["field"] as? String ?? "", $0["message"] as? String ?? "") }, uniquingKeysWith: { a, _ in a }
        )
    }

    @Test("formats, templates and filters are stored and shown; chat formats are paced to their service's rate")
    func accepted() async throws {
        try await SubscriptionAPITests.withAPI { client, _ in
            let slack = try await client.call(
                .post, "/v1/subscriptions",
                #"{"url":"https://hooks.example.com/slack","format":"slack","filter":{"data.source":"web","data.durationMinutes":{"gte":30}}}"#
            )
            #expect(slack.status == .created)
            #expect(slack.object["format"] as? String == "slack")
            #expect(slack.object["maxPerSecond"] as? Int == 1)
            let filter = try #require(slack.object["filter"] as? [String: Any])
            #expect(filter["data.source"] as? String == "web")
            #expect((filter["data.durationMinutes"] as? [String: Any])?["gte"] as? Int == 30)

            let templated = try await client.call(
                .post, "/v1/subscriptions",
                #"{"url":"https://hooks.example.com/crm","template":"{\"who\": \"{{data.email}}\"}"}"#)
            #expect(templated.status == .created, "\(templated.object)")
            #expect(templated.object["format"] as? String == "template")
            #expect(templated.object["contentType"] as? String == "application/json")
            #expect(templated.object["maxPerSecond"] == nil)
            let id = try #require(templated.object["id"] as? String)

            // Back to standard: the template goes with the format; the filter is removed with null.
            let changed = try await client.call(
                .patch, "/v1/subscriptions/\(id)", #"{"format":"standard","filter":null}"#)
            #expect(changed.status == .ok, "\(changed.object)")
            #expect(changed.object["format"] as? String == "standard")
            #expect(changed.object["template"] == nil)
            #expect(changed.object["filter"] == nil)
            let standard = try await client.call(.post, "/v1/subscriptions", #"{"url":"https://hooks.example.com/x"}"#)
            #expect(standard.object["format"] as? String == "standard")
        }
    }

    @Test("a PATCH to a chat format paces it as create does, unless the PATCH sets maxPerSecond itself")
    func patchToChatFormatPaces() async throws {
        try await SubscriptionAPITests.withAPI { client, _ in
            func create(_ body: String) async throws -> String {
                let created = try await client.call(.post, "/v1/subscriptions", body)
                #expect(created.status == .created, "\(created.object)")
                return try #require(created.object["id"] as? String)
            }
            func patch(_ id: String, _ body: String) async throws -> [String: Any] {
                let changed = try await client.call(.patch, "/v1/subscriptions/\(id)", body)
                #expect(changed.status == .ok, "\(changed.object)")
                let stored = try await client.call(.get, "/v1/subscriptions/\(id)")
                return stored.object
            }
            let plain = try await create(#"{"url":"https://hooks.example.com/a"}"#)
            let toSlack = try await patch(plain, #"{"format":"slack"}"#)
            #expect(toSlack["format"] as? String == "slack")
            #expect(toSlack["maxPerSecond"] as? Int == 1)

            // A rate set for the standard body is replaced too: the chat service's own limit holds.
            let fast = try await create(#"{"url":"https://hooks.example.com/b","maxPerSecond":50}"#)
            #expect(try await patch(fast, #"{"format":"googlechat"}"#)["maxPerSecond"] as? Int == 1)

            // The PATCH's own maxPerSecond wins, a number or null.
            let own = try await create(#"{"url":"https://hooks.example.com/c"}"#)
            #expect(try await patch(own, #"{"format":"slack","maxPerSecond":3}"#)["maxPerSecond"] as? Int == 3)
            let unpaced = try await create(#"{"url":"https://hooks.example.com/d"}"#)
            #expect(try await patch(unpaced, #"{"format":"slack","maxPerSecond":null}"#)["maxPerSecond"] == nil)

            // A PATCH that keeps the format, or names one without a service limit, leaves the rate alone.
            #expect(try await patch(own, #"{"format":"slack","description":"sales"}"#)["maxPerSecond"] as? Int == 3)
            let teams = try await patch(plain, #"{"format":"teams"}"#)
            #expect(teams["format"] as? String == "teams")
            #expect(teams["maxPerSecond"] as? Int == 1)
            let standard = try await create(#"{"url":"https://hooks.example.com/e"}"#)
            #expect(try await patch(standard, #"{"format":"teams"}"#)["maxPerSecond"] == nil)
        }
    }

    @Test(
        "bad templates and filters get 422 naming the field and line; a refused change leaves the subscription as it was"
    )
    func refused() async throws {
        try await SubscriptionAPITests.withAPI { client, _ in
            let unknownPath = try await client.call(
                .post, "/v1/subscriptions",
                #"{"url":"https://hooks.example.com/a","filter":{"data.sorce":"web","data.status":{"gt":1}}}"#)
            #expect(unknownPath.status == .unprocessableContent)
            let pathErrors = Self.errors(unknownPath)
            #expect(pathErrors[#"filter["data.sorce"]"#]?.hasPrefix("unknown path") == true, "\(pathErrors)")
            #expect(pathErrors[#"filter["data.status"]"#]?.contains("unknown operator") == true, "\(pathErrors)")

            let unparsable = try await client.call(
                .post, "/v1/subscriptions",
                #"{"url":"https://hooks.example.com/a","format":"template","template":"{\n\"a\": \"{{#data.booking}}\"\n}"}"#
            )
            #expect(unparsable.status == .unprocessableContent)
            #expect(Self.errors(unparsable)["template"]?.contains("does not parse: line ") == true)

            let invalidJSON = try await client.call(
                .post, "/v1/subscriptions",
                #"{"url":"https://hooks.example.com/a","format":"template","template":"{\n\"a\": {{data.firstName}}\n}"}"#
            )
            #expect(invalidJSON.status == .unprocessableContent)
            let message = Self.errors(invalidJSON)["template"] ?? ""
            #expect(message.contains("renders invalid JSON") && message.contains("line 2"), "\(message)")

            let wrongFormat = try await client.call(
                .post, "/v1/subscriptions", #"{"url":"https://hooks.example.com/a","format":"sms"}"#)
            #expect(Self.errors(wrongFormat)["format"]?.hasPrefix("must be one of") == true)
            let list = try await client.call(.get, "/v1/subscriptions")
            #expect((list.object["data"] as? [Any])?.isEmpty == true)

            let created = try await client.call(
                .post, "/v1/subscriptions",
                #"{"url":"https://hooks.example.com/b","template":"{\"a\": \"{{type}}\"}","filter":{"type":"booking.failed"}}"#
            )
            let id = try #require(created.object["id"] as? String)
            let bad = try await client.call(
                .patch, "/v1/subscriptions/\(id)",
                #"{"template":"{\"a\": {{type}}}","filter":{"data.nope":1},"description":"changed"}"#)
            #expect(bad.status == .unprocessableContent)
            #expect(Set(Self.errors(bad).keys) == ["template", #"filter["data.nope"]"#])
            let after = try await client.call(.get, "/v1/subscriptions/\(id)")
            #expect(after.object["template"] as? String == #"{"a": "{{type}}"}"#)
            #expect((after.object["filter"] as? [String: Any])?["type"] as? String == "booking.failed")
            #expect(after.object["description"] == nil)
            // A template on a chat format is refused too.
            let mixed = try await client.call(.patch, "/v1/subscriptions/\(id)", #"{"format":"teams","template":"x"}"#)
            #expect(Self.errors(mixed)["template"]?.hasPrefix("is only for") == true)
        }
    }
}
