import BookingBridge
import Foundation
import HubSpotSandbox
import Testing

/// The bridge's answers to HubSpot as it behaves in the wild (see `docs/hubspot-sandbox.md`): expired tokens,
/// edge error pages and answers after a booking, 423/477 waits, and a 200 without a calendar event.
@Suite("Pipeline against HubSpot in the wild", .serialized)
struct PipelineWildHubSpotTests {
    static func id(_ answer: TestBridge.Answer) throws -> UUID {
        try PipelineEndToEndTests.id(answer)
    }

    static func person(_ n: Int, start: Date) -> [String: Any] {
        PipelineEndToEndTests.person(n, start: start)
    }

    static func slots(_ bridge: TestBridge) async throws -> [Date] {
        try await bridge.freeSlots(slug: SandboxSeeds.personalLinkSlug, timezone: "Europe/London", minutes: 30)
    }

    /// OAuth with the sandbox's app credentials instead of the static token.
    static func oauth(_ c: inout BridgeConfiguration, refreshToken: String = "sandbox-refresh-token") {
        c.hubspot.accessToken = nil
        c.hubspot.clientID = "sandbox-client-id"
        c.hubspot.clientSecret = "sandbox-client-secret"
        c.hubspot.refreshToken = refreshToken
    }

    /// Polls the intent until `done` holds (at most `timeout`).
    static func waitFor(
        _ bridge: TestBridge, _ id: UUID, timeout: Duration = .seconds(20), _ done: (IntentRecord) -> Bool
    ) async throws -> IntentRecord {
        let deadline = ContinuousClock.now + timeout
        while true {
            let intent = try #require(try await IntentStore(database: bridge.database).find(id: id))
            if done(intent) || ContinuousClock.now > deadline { return intent }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test("EXPIRED_AUTHENTICATION on a token the bridge thought valid: refreshed once, repeated, one attempt")
    func expiredTokenRefreshedAndRepeated() async throws {
        try await TestBridge.run(configure: { Self.oauth(&$0) }) { bridge in
            let slots = try await Self.slots(bridge)
            let first = try await bridge.waitForFinal(
                try Self.id(try await bridge.submit("web", Self.person(1, start: slots[2]))))
            #expect(first.status == .booked)
            // The token the bridge holds (expires_in 1800) now expires 3 s after it was issued at HubSpot: the next
            // call can only succeed through a refresh on HubSpot's 401 and a repeat of the call. (The refreshed
            // token lives 3 s too: long enough for the repeat on a loaded machine, where 1 s was not.)
            var faults = SandboxFaults()
            faults.tokenLifetimeSeconds = 3
            await bridge.sandbox.setFaults(faults)
            try await Task.sleep(for: .milliseconds(3200))
            let second = try await bridge.waitForFinal(
                try Self.id(try await bridge.submit("web", Self.person(2, start: slots[6]))))
            #expect(second.status == .booked, "\(String(describing: second.lastError))")
            #expect(second.attempts == 1, "the refresh and the repeat are not an attempt")
            #expect(
                try await bridge.count(
                    "SELECT count(*) FROM attempts WHERE intent_id = '\(second.id)' AND stage = 'book'")
                    == 1)
            #expect(await bridge.sandbox.bookings().count == 2)
        }
    }

    @Test("a refresh that fails leaves the intent due with backoff, no attempt counted, the reason kept")
    func failedRefreshLeavesTheIntentDue() async throws {
        try await TestBridge.run(configure: { Self.oauth(&$0, refreshToken: "revoked-refresh-token") }) { bridge in
            let slots = try await Self.slots(bridge)
            let id = try Self.id(try await bridge.submit("web", Self.person(3, start: slots[3])))
            // Rescheduled, not held by a worker (a claim also moves next_attempt_at, by the lease).
            let intent = try await Self.waitFor(bridge, id) { $0.lastError != nil && $0.lockedBy == nil }
            #expect(intent.status == .retrying, "\(intent.status)")
            #expect(intent.attempts == 0)
            #expect(
                intent.lastError?.message.contains("refresh token") == true, "\(String(describing: intent.lastError))")
            // At least 2 s later (whatever the backoff's jitter draws), not at once: the reschedule's time comes
            // from the bridge's clock and updated_at from PostgreSQL's, hence the 0.1 s of slack.
            #expect(
                intent.nextAttemptAt >= intent.updatedAt.addingTimeInterval(1.9),
                "next attempt \(intent.nextAttemptAt), rescheduled \(intent.updatedAt)")
            // It stays due while the credentials are broken: retried later, never failed.
            try await Task.sleep(for: .seconds(2))
            let later = try #require(try await IntentStore(database: bridge.database).find(id: id))
            #expect(!later.status.isFinal && later.attempts == 0)
            #expect(await bridge.sandbox.bookings().isEmpty)
        }
    }

    @Test(
        "book, then an edge error (afterBookStatus, HTML or JSON): uncertain, reconciled from the CRM, booked once",
        arguments: [(502, SandboxFaults.FailBody.html), (524, .json), (524, .html)])
    func answerAfterBookingIsUncertain(status: Int, body: SandboxFaults.FailBody) async throws {
        try await TestBridge.run { bridge in
            let slots = try await Self.slots(bridge)
            var faults = SandboxFaults()
            faults.afterBookStatus = status
            faults.failBody = body
            await bridge.sandbox.setFaults(faults)
            let intent = try await bridge.waitForFinal(
                try Self.id(try await bridge.submit("web", Self.person(4, start: slots[4]))), timeout: .seconds(60))
            #expect(intent.status == .booked, "\(intent.status)")
            #expect(await bridge.sandbox.bookings().count == 1, "booked exactly once")
            #expect(
                try await bridge.count(
                    "SELECT count(*) FROM events WHERE intent_id = '\(intent.id)' AND body::jsonb->'data'->>'reconciled' = 'true'"
                ) == 1)
            #expect(
                try await bridge.count(
                    "SELECT count(*) FROM attempts WHERE intent_id = '\(intent.id)' AND outcome = 'uncertain' AND http_status = \(status)"
                ) == 1)
            if body == .html {
                #expect(
                    try await bridge.count(
                        "SELECT count(*) FROM attempts WHERE intent_id = '\(intent.id)' AND error->>'message' LIKE '%HTML page%'"
                    ) == 1)
            }
        }
    }

    @Test("423 and 477 with Retry-After: waited out, not a failure, not an attempt", arguments: [423, 477])
    func lockedAndMigratingAreWaitedOut(status: Int) async throws {
        try await TestBridge.run(configure: { $0.pipeline.maxAttempts = 1 }) { bridge in
            let slots = try await Self.slots(bridge)
            var faults = SandboxFaults()
            faults.failRate = 1
            faults.failStatus = status
            faults.retryAfterSeconds = 3
            await bridge.sandbox.setFaults(faults)
            let id = try Self.id(try await bridge.submit("web", Self.person(5, start: slots[5])))
            let waiting = try await Self.waitFor(bridge, id) { $0.lastError?.httpStatus == status }
            #expect(!waiting.status.isFinal, "\(waiting.status): \(String(describing: waiting.lastError))")
            #expect(waiting.attempts == 0)
            let wait = waiting.nextAttemptAt.timeIntervalSince(waiting.updatedAt)
            #expect(wait >= 2.9, "Retry-After 3 s honoured, waited \(wait) s")
            await bridge.sandbox.setFaults(SandboxFaults())
            let booked = try await bridge.waitForFinal(id)
            #expect(booked.status == .booked)
            #expect(booked.attempts == 1)
        }
    }

    @Test("200 with isOffline false and an empty calendarEventId: offline, with a reason saying no event exists")
    func emptyCalendarEventIsOffline() async throws {
        try await TestBridge.run { bridge in
            let slots = try await Self.slots(bridge)
            var faults = SandboxFaults()
            faults.emptyCalendarEventRate = 1
            await bridge.sandbox.setFaults(faults)
            let intent = try await bridge.waitForFinal(
                try Self.id(try await bridge.submit("web", Self.person(6, start: slots[7]))))
            #expect(intent.status == .offline)
            #expect(intent.lastError?.subCategory == "OFFLINE")
            let message = intent.lastError?.message ?? ""
            #expect(message.contains("no calendar event exists") && message.contains("isOffline false"), "\(message)")
            #expect(
                try await bridge.count(
                    "SELECT count(*) FROM events WHERE intent_id = '\(intent.id)' AND type = 'booking.offline'") == 1)
            #expect(try await bridge.count("SELECT count(*) FROM events WHERE type = 'booking.confirmed'") == 0)
        }
    }
}
