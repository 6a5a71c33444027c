import BookingBridge
import Foundation
import HubSpotSandbox
import NIOHTTP1
import Testing

/// Each form service end to end: its example payload posted to a running bridge as the service posts it, the
/// meeting booked in the HubSpot sandbox, and `booking.confirmed` delivered to a subscriber.
@Suite("Form service sources end to end", .serialized)
struct SenderEndToEndTests {
    @Test("payload in, meeting booked in the sandbox, booking.confirmed delivered", arguments: SenderFixture.all)
    func booked(_ fixture: SenderFixture) async throws {
        try await TestReceiver.run { port, log in
            try await TestBridge.run(configure: {
                $0.publicURL = SenderFixture.publicURL
                $0.sources[fixture.sourceName] = fixture.source()
                $0.subscriptions = [
                    SubscriptionSeed(url: "http://127.0.0.1:\(port)/ok", eventTypes: ["booking.confirmed"])
                ]
            }) { bridge in
                let slots = try await bridge.freeSlots(
                    slug: SandboxSeeds.personalLinkSlug, timezone: SenderFixture.zone, minutes: 30)
                let index = SenderFixture.all.firstIndex { $0.kind == fixture.kind } ?? 0
                let slot = try #require(slots.dropFirst(4 + index).first)
                let text = fixture.retimed(fixture.text, to: slot)
                let request = fixture.request(text, now: Date())
                let answer = try await bridge.request(
                    .POST, request.path, headers: [("Content-Type", request.contentType)] + request.headers,
                    body: Data(request.body))
                #expect(answer.status == 202, "\(String(decoding: answer.body, as: UTF8.self))")
                let idText = try #require(answer.json?["id"] as? String)
                let id = try #require(UUID(uuidString: idText))
                let intent = try await bridge.waitForFinal(id)
                #expect(intent.status == .booked, "\(String(describing: intent.lastError))")
                let bookings = await bridge.sandbox.bookings()
                #expect(bookings.count == 1)
                let booking = try #require(bookings.first)
                #expect(booking.email == "ada@lovelace.dev")
                #expect(booking.formFields["company"] == "Analytical Engines Ltd")
                #expect(booking.startMillis == Int64((slot.timeIntervalSince1970 * 1000).rounded()))
                try await eventually(timeout: .seconds(20), "booking.confirmed delivered") {
                    await log.on("/ok").contains { received in
                        let body = String(decoding: received.body, as: UTF8.self)
                        return body.contains("\"booking.confirmed\"") && body.contains(id.uuidString.lowercased())
                    }
                }
            }
        }
    }
}
