import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing

@testable import BookingBridge

@Suite("POST /v1/intake/{source}")
struct IntakeAPITests {
    static let origin: HTTPFields = [.origin: "https://www.example.org"]
    static let partner: HTTPFields = [.authorization: "Bearer partner-token"]
    static let websiteJSON =
        #"{"email":"ada@example.org","name":"Ada Lovelace","slot":"2026-12-01T10:00:00+01:00","company":"AE","marketing_ok":true}"#

    @Test func jsonIsAcceptedAndCommitted() async throws {
        try await TestIntakeApp.run { app in
            let response = try await app.client.post(
                "partner", #"{"email":"ada@example.org","firstName":"Ada","startTime":"2026-12-01T09:00:00Z"}"#,
                headers: Self.partner.merging([.userAgent: "curl/8"]))
            #expect(response.status == .accepted)
            #expect(response.headers[.contentType] == "application/json")
            let id = try #require(response.json["id"] as? String)
            #expect(response.json["status"] as? String == "received")
            #expect(response.json["statusUrl"] as? String == "/v1/intents/\(id)")
            #expect(response.headers[.location] == "/v1/intents/\(id)")
            #expect(app.wakes.value == 1)
            let stored = try await app.client.intent(id)
            #expect(stored.status == "received")
            #expect(stored.source == "partner")
            #expect(stored.request.email == "ada@example.org")
            #expect(stored.request.lastName == "-")
            #expect(stored.request.slug == "jane-doe/partner")
            #expect(stored.request.startTime == Date(iso: "2026-12-01T09:00:00Z"))
            #expect(stored.received.contentType == "application/json")
            #expect(stored.received.userAgent == "curl/8")
            #expect(stored.received.fields["firstName"] == "Ada")
            #expect(stored.attempts.isEmpty)
            #expect(stored.booking == nil)
        }
    }

    @Test func urlEncodedFromAnAllowedOrigin() async throws {
        try await TestIntakeApp.run { app in
            let response = try await app.client.post(
                "website",
                "email=ada%40example.org&first_name=Ada&last_name=Lovelace&date=2026-12-01&time=10%3A00&notes=Hi+there",
                contentType: "application/x-www-form-urlencoded", headers: Self.origin)
            #expect(response.status == .accepted)
            #expect(response.headers[.accessControlAllowOrigin] == "https://www.example.org")
            #expect(response.headers[.vary] == "Origin")
            let id = try #require(response.json["id"] as? String)
            let request = try await app.client.intent(id).request
            #expect(request.startTime == Date(iso: "2026-12-01T09:00:00Z"))
            #expect(request.formFields == ["message": "Hi there"])
            #expect(request.consents == ["COMMUNICATION_TYPE_ID": false])
            #expect(request.timezone == "Europe/Berlin")
        }
    }

    @Test func multipartFormData() async throws {
        try await TestIntakeApp.run { app in
            let body = IntakeBodyTests.multipart(
                [
                    ("Content-Disposition: form-data; name=\"email\"", "ada@example.org"),
                    ("Content-Disposition: form-data; name=\"name\"", "Ada"),
                    ("Content-Disposition: form-data; name=\"slot\"", "1796119200000"),
                    ("Content-Disposition: form-data; name=\"marketing_ok\"", "on"),
                ], boundary: "xyz")
            let response = try await app.client.post(
                "website", body, contentType: "multipart/form-data; boundary=xyz", headers: Self.origin)
            #expect(response.status == .accepted)
            let id = try #require(response.json["id"] as? String)
            let stored = try await app.client.intent(id)
            #expect(stored.request.consents == ["COMMUNICATION_TYPE_ID": true])
            #expect(stored.request.startTime == Date(timeIntervalSince1970: 1_796_119_200))
            #expect(stored.received.contentType == "multipart/form-data")
            #expect(stored.received.fields["marketing_ok"] == "on")
        }
    }

    @Test func repeatsReturnTheFirstIntent() async throws {
        try await TestIntakeApp.run { app in
            let key: HTTPFields = [.idempotencyKey: "order-17"]
            let first = try await app.client.post("website", Self.websiteJSON, headers: Self.origin.merging(key))
            let second = try await app.client.post(
                "website", Self.websiteJSON.replacingOccurrences(of: "Ada", with: "Eve"),
                headers: Self.origin.merging(key))
            #expect(first.status == .accepted)
            #expect(second.status == .ok)
            #expect(second.json["id"] as? String == first.json["id"] as? String)
            // Without a key, a public form's double click (same e-mail, link and slot) is caught by the fingerprint.
            let click1 = try await app.client.post("website", Self.websiteJSON, headers: Self.origin)
            let click2 = try await app.client.post("website", Self.websiteJSON, headers: Self.origin)
            #expect(click1.status == .accepted)
            #expect(click2.status == .ok)
            #expect(click2.json["id"] as? String == click1.json["id"] as? String)
            #expect(try await TestIntakeApp.count(app.database) == 2)
            #expect(app.wakes.value == 2)
        }
    }

    @Test func browserPostIsRedirected() async throws {
        try await TestIntakeApp.run { app in
            let response = try await app.client.post(
                "website", "email=ada%40example.org&name=Ada&slot=2026-12-01T10%3A00%3A00Z",
                contentType: "application/x-www-form-urlencoded",
                headers: Self.origin.merging([
                    .accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
                ]))
            #expect(response.status == .seeOther)
            let location = try #require(response.headers[.location])
            #expect(location.hasPrefix("https://www.example.org/thanks?intent="))
            #expect(try await TestIntakeApp.count(app.database) == 1)
            // A source without redirectUrl answers browsers with JSON.
            let partner = try await app.client.post(
                "partner", #"{"email":"a@example.org","firstName":"A","startTime":"2026-12-01T09:00:00Z"}"#,
                headers: Self.partner.merging([.accept: "text/html"]))
            #expect(partner.status == .accepted)
        }
    }

    @Test func honeypotLooksLikeSuccessAndIsNeverBooked() async throws {
        try await TestIntakeApp.run(publicURL: "https://bridge.example.org/") { app in
            let spam = Self.websiteJSON.replacingOccurrences(
                of: "}", with: #","company_website":"http://spam.example"}"#)
            let response = try await app.client.post("website", spam, headers: Self.origin)
            #expect(response.status == .accepted)
            let id = try #require(response.json["id"] as? String)
            #expect(response.json["status"] as? String == "received")
            #expect(response.json["statusUrl"] as? String == "https://bridge.example.org/v1/intents/\(id)")
            #expect(app.wakes.value == 0)
            let stored = try await app.client.intent(id)
            #expect(stored.status == "spam")
            #expect(stored.finishedAt != nil)
            let claimed = try await IntentStore(database: app.database).claimDue(
                owner: "t", limit: 10, lease: .seconds(30))
            #expect(claimed.isEmpty)
            let again = try await app.client.post("website", spam, headers: Self.origin)
            #expect(again.status == .ok)
            #expect(again.json["status"] as? String == "received")
            // The person the bot imitated still gets through.
            let real = try await app.client.post("website", Self.websiteJSON, headers: Self.origin)
            #expect(real.status == .accepted)
            #expect(real.json["id"] as? String != id)
        }
    }

    @Test func dateAndTimeAcrossDaylightSavingChange() async throws {
        try await TestIntakeApp.run { app in
            var starts: [Date] = []
            for (date, time, zone) in [
                ("2027-03-27", "10:00", ""), ("2027-03-28", "10:00", ""), ("2027-03-28", "10:00", "America/New_York"),
                ("2027-10-31", "02:30", ""),
            ] {
                let response = try await app.client.post(
                    "website", "email=ada%40example.org&name=Ada&date=\(date)&time=\(time)&tz=\(zone)",
                    contentType: "application/x-www-form-urlencoded", headers: Self.origin)
                #expect(response.status == .accepted)
                let id = try #require(response.json["id"] as? String)
                starts.append(try await app.client.intent(id).request.startTime)
            }
            #expect(
                starts
                    == ["2027-03-27T09:00:00Z", "2027-03-28T08:00:00Z", "2027-03-28T14:00:00Z", "2027-10-31T00:30:00Z"]
                    .map(Date.init(iso:)))
            let skipped = try await app.client.post(
                "website", "email=ada%40example.org&name=Ada&date=2027-03-28&time=02%3A30",
                contentType: "application/x-www-form-urlencoded", headers: Self.origin)
            #expect(skipped.status == .unprocessableContent)
            #expect(skipped.fieldErrors["time"]?.contains("does not exist") == true)
        }
    }

    @Test func corsPreflight() async throws {
        try await TestIntakeApp.run { app in
            let allowed = try await app.client.execute(
                uri: "/v1/intake/website", method: .options,
                headers: Self.origin.merging([
                    .accessControlRequestMethod: "POST",
                    .accessControlRequestHeaders: "content-type, idempotency-key, x-evil",
                ]))
            #expect(allowed.status == .noContent)
            #expect(allowed.headers[.accessControlAllowOrigin] == "https://www.example.org")
            #expect(allowed.headers[.accessControlAllowMethods] == "POST, OPTIONS")
            #expect(allowed.headers[.accessControlAllowHeaders] == "content-type, idempotency-key")
            let refused = try await app.client.execute(
                uri: "/v1/intake/website", method: .options,
                headers: [.origin: "https://evil.example", .accessControlRequestMethod: "POST"])
            #expect(refused.status == .forbidden)
            #expect(refused.headers[.accessControlAllowOrigin] == nil)
            let unknown = try await app.client.execute(uri: "/v1/intake/nope", method: .options, headers: Self.origin)
            #expect(unknown.status == .notFound)
        }
    }

    @Test func concurrentPostsWithOneKeyCreateOneIntent() async throws {
        try await TestIntakeApp.run { app in
            let responses = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String?).self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        let r = try await app.client.post(
                            "website", Self.websiteJSON, headers: Self.origin.merging([.idempotencyKey: "same-key"]))
                        return (r.status, r.json["id"] as? String)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(responses.filter { $0.0 == .accepted }.count == 1)
            #expect(responses.filter { $0.0 == .ok }.count == 49)
            #expect(Set(responses.map(\.1)).count == 1)
            #expect(try await TestIntakeApp.count(app.database) == 1)
            #expect(app.wakes.value == 1)
        }
    }
}

extension HTTPFields {
    func merging(_ other: HTTPFields) -> HTTPFields {
        var all = self
        for field in other { all[field.name] = field.value }
        return all
    }
}
