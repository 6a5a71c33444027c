import BookingBridge
import Foundation
import HubSpotSandbox
import NIOHTTP1
import Testing

/// After a real booking through the running bridge, `/metrics` shows every family an operator relies on.
@Suite("Metrics end to end", .serialized)
struct MetricsEndToEndTests {
    @Test("/metrics shows each family after a booking")
    func familiesAfterABooking() async throws {
        try await TestBridge.run(configure: {
            // A subscriber that is down: the delivery attempt is still counted.
            $0.subscriptions = [SubscriptionSeed(url: "http://127.0.0.1:9/hook", eventTypes: ["booking.*"])]
        }) { bridge in
            let slot = try #require(
                try await bridge.freeSlots(slug: SandboxSeeds.personalLinkSlug, timezone: "Europe/London", minutes: 30)
                    .dropFirst(13).first)
            let answer = try await bridge.submit(
                "web", ["email": "metrics@lovelace.dev", "firstName": "M", "lastName": "E", "startTime": slot.iso])
            let text = try #require(answer.json?["id"] as? String)
            let id = try #require(UUID(uuidString: text))
            #expect(try await bridge.waitForFinal(id).status == .booked)
            let families = [
                "bookingbridge_http_requests_total", "bookingbridge_http_request_duration_seconds",
                "bookingbridge_intake_submissions_total", "bookingbridge_intents_finished_total",
                "bookingbridge_stage_duration_seconds", "bookingbridge_intents_due",
                "bookingbridge_intents_oldest_due_seconds", "hubspot_calls_total", "hubspot_call_duration_seconds",
                "hubspot_rate_budget_remaining", "webhook_deliveries_total", "bookingbridge_deliveries_due",
                "bookingbridge_db_pool_max_connections",
            ]
            var missing = families
            let deadline = ContinuousClock.now + .seconds(30)
            while !missing.isEmpty && ContinuousClock.now < deadline {
                let text = String(decoding: try await bridge.request(.GET, "/metrics").body, as: UTF8.self)
                missing = families.filter { family in !text.split(separator: "\n").contains { $0.hasPrefix(family) } }
                if !missing.isEmpty { try await Task.sleep(for: .milliseconds(500)) }
            }
            #expect(missing.isEmpty, "missing metric families: \(missing)")
        }
    }
}
