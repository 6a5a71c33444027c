import Foundation
import HTTPTypes
import HubSpotSandbox
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing

@testable import BookingBridge

/// Each form service's documented example payload through HTTP intake and a real database: mapped as the service
/// names its fields, refused without a valid signature, a replay answered with the first intent, and an unbookable
/// submission stored as `rejected` with its `booking.failed` event and a 200 answer.
@Suite("Form service sources")
struct SenderIntakeTests {
    static var sources: [String: SourceConfiguration] {
        Dictionary(
            uniqueKeysWithValues: SenderFixture.all.map { ($0.sourceName, $0.source(slug: "jane-doe/intro-30")) })
    }

    static func run(_ body: @escaping @Sendable (TestIntakeApp.Context) async throws -> Void) async throws {
        try await TestIntakeApp.run(publicURL: SenderFixture.publicURL, sources: sources, body)
    }

    static func send(_ request: SenderFixture.Request, to client: any TestClientProtocol) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: request.contentType]
        for (name, value) in request.headers { headers[HTTPField.Name(name)!] = value }
        return try await client.execute(
            uri: request.path, method: .post, headers: headers, body: ByteBuffer(bytes: request.body))
    }

    @Test(
        "the example payload is accepted and mapped: e-mail, names, start in UTC, formFields, consent",
        arguments: SenderFixture.all)
    func acceptedAndMapped(_ fixture: SenderFixture) async throws {
        try await Self.run { app in
            let response = try await Self.send(fixture.request(fixture.text, now: TestIntakeApp.now), to: app.client)
            #expect(response.status == .accepted, "\(String(buffer: response.body))")
            let intent = try await app.client.intent(response.json["id"] as? String)
            #expect(intent.status == "received")
            #expect(intent.source == fixture.sourceName)
            #expect(intent.request.email == "ada@lovelace.dev")
            #expect(intent.request.firstName == "Ada")
            #expect(intent.request.lastName == "Lovelace")
            #expect(abs(intent.request.startTime.timeIntervalSince(SenderFixture.fixtureStart)) < 0.001)
            #expect(intent.request.durationMinutes == 30)
            #expect(intent.request.formFields == ["company": "Analytical Engines Ltd"])
            #expect(intent.request.consents == [SandboxSeeds.optionalConsentTypeId: true])
            if let id = fixture.senderID {
                #expect(intent.idempotencyKey == "sender:" + id)
            }
            #expect(app.wakes.value == 1)
        }
    }

    @Test("a wrong signature (or token) is 401 and stores nothing", arguments: SenderFixture.all)
    func wrongSignature(_ fixture: SenderFixture) async throws {
        try await Self.run { app in
            let response = try await Self.send(
                fixture.request(fixture.text, now: TestIntakeApp.now, signing: .wrong), to: app.client)
            #expect(response.status == .unauthorized)
            #expect(response.isProblem)
            #expect(try await TestIntakeApp.count(app.database) == 0)
        }
    }

    @Test(
        "a body changed after signing is 401",
        arguments: SenderFixture.all.filter { $0.kind != .jotform && $0.kind != .json })
    func tamperedBody(_ fixture: SenderFixture) async throws {
        try await Self.run { app in
            var request = fixture.request(fixture.text, now: TestIntakeApp.now)
            request.body = Array(fixture.text.replacingOccurrences(of: "Lovelace", with: "Byron").utf8)
            let response = try await Self.send(request, to: app.client)
            #expect(response.status == .unauthorized)
            #expect(try await TestIntakeApp.count(app.database) == 0)
        }
    }

    @Test(
        "a timestamp over 5 minutes old is 401",
        arguments: SenderFixture.all.filter { [.webflow, .hubspot].contains($0.kind) })
    func staleTimestamp(_ fixture: SenderFixture) async throws {
        try await Self.run { app in
            let response = try await Self.send(
                fixture.request(fixture.text, now: TestIntakeApp.now, signing: .stale), to: app.client)
            #expect(response.status == .unauthorized)
            #expect(response.json["detail"] as? String ?? "" != "")
            #expect(try await TestIntakeApp.count(app.database) == 0)
        }
    }

    @Test("the sender's retry of the same submission gets 200 with the first intent", arguments: SenderFixture.all)
    func replay(_ fixture: SenderFixture) async throws {
        try await Self.run { app in
            let first = try await Self.send(fixture.request(fixture.text, now: TestIntakeApp.now), to: app.client)
            #expect(first.status == .accepted)
            let again = try await Self.send(fixture.request(fixture.text, now: TestIntakeApp.now), to: app.client)
            #expect(again.status == .ok)
            #expect(again.json["id"] as? String == first.json["id"] as? String)
            #expect(try await TestIntakeApp.count(app.database) == 1)
            // Another submission of the same form is another intent.
            let other = fixture.variant(fixture.text, id: "another-submission-1", email: "charles@babbage.dev")
            let second = try await Self.send(fixture.request(other, now: TestIntakeApp.now), to: app.client)
            #expect(second.status == .accepted)
            #expect(second.json["id"] as? String != first.json["id"] as? String)
            #expect(try await TestIntakeApp.count(app.database) == 2)
        }
    }

    @Test(
        "an unbookable submission is stored rejected, answered 200 with the problems, and sends booking.failed",
        arguments: SenderFixture.all)
    func unbookable(_ fixture: SenderFixture) async throws {
        try await Self.run { app in
            let text = fixture.variant(fixture.text, id: "unbookable-1", email: "ada-at-lovelace.dev")
            let response = try await Self.send(fixture.request(text, now: TestIntakeApp.now), to: app.client)
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            #expect(response.json["status"] as? String == "rejected")
            #expect(response.fieldErrors.keys.sorted() == [fixture.emailReference])
            let intent = try await app.client.intent(response.json["id"] as? String)
            #expect(intent.status == "rejected")
            #expect(intent.finishedAt != nil)
            #expect(intent.lastError?.errors?.map(\.field) == [fixture.emailReference])
            #expect(intent.lastError?.message.contains(fixture.emailReference) == true)
            #expect(app.wakes.value == 0)
            let events = try await TestIntakeApp.count(
                app.database,
                "SELECT count(*) FROM events WHERE type = 'booking.failed' AND body::jsonb #>> '{data,status}' = 'rejected'"
            )
            #expect(events == 1)
            // The sender's retry: the same answer, nothing stored or sent again.
            let again = try await Self.send(fixture.request(text, now: TestIntakeApp.now), to: app.client)
            #expect(again.status == .ok)
            #expect(again.json["id"] as? String == response.json["id"] as? String)
            #expect(again.fieldErrors.keys.sorted() == [fixture.emailReference])
            #expect(try await TestIntakeApp.count(app.database) == 1)
            #expect(try await TestIntakeApp.count(app.database, "SELECT count(*) FROM events") == 1)
            let listed = try await app.client.admin("/v1/intents?status=rejected")
            #expect(listed.status == .ok)
            #expect((listed.json["intents"] as? [Any])?.count == 1)
        }
    }

    @Test("a past start is rejected naming the form's own date field", arguments: SenderFixture.all)
    func pastStart(_ fixture: SenderFixture) async throws {
        try await Self.run { app in
            let past = fixture.retimed(
                fixture.variant(fixture.text, id: "past-1"), to: TestIntakeApp.now.addingTimeInterval(-86_400))
            let response = try await Self.send(fixture.request(past, now: TestIntakeApp.now), to: app.client)
            #expect(response.status == .ok)
            #expect(response.json["status"] as? String == "rejected")
            let blamed = fixture.source().fields["date"] ?? fixture.source().fields["startTime"]
            #expect(response.fieldErrors[blamed ?? ""] == "must be in the future", "\(response.fieldErrors)")
        }
    }
}
