import AsyncHTTPClient
import BookingBridge
import Foundation
import HubSpotSandbox
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import PostgresNIO
import Testing

/// Reconciliation from HubSpot's CRM (issue #25), end to end against the sandbox: an unanswered booking call is
/// settled from the meeting HubSpot logged on the contact, or, without one, by availability as before.
@Suite("Pipeline reconciliation from HubSpot's CRM", .serialized)
struct PipelineCRMReconciliationTests {
    static func id(_ answer: TestBridge.Answer) throws -> UUID {
        try PipelineEndToEndTests.id(answer)
    }

    static func person(_ n: Int, start: Date) -> [String: Any] {
        PipelineEndToEndTests.person(n, start: start)
    }

    /// Two offered 30-minute starts of the personal link in one UTC month, at least an hour apart.
    static func twoSlots(_ bridge: TestBridge, skip: Int) async throws -> (Date, Date) {
        let slots = try await bridge.freeSlots(
            slug: SandboxSeeds.personalLinkSlug, timezone: "Europe/London", minutes: 30)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for (i, first) in slots.enumerated().dropFirst(skip) {
            if let second = slots.dropFirst(i + 1).first(where: {
                $0.timeIntervalSince(first) >= 3600
                    && calendar.component(.month, from: $0) == calendar.component(.month, from: first)
            }) {
                return (first, second)
            }
        }
        throw TestFailure("no two offered slots in one month")
    }

    /// Waits (generously) until a query's count reaches `atLeast`; returns the last count.
    static func waitForCount(
        _ bridge: TestBridge, _ sql: String, atLeast: Int, timeout: Duration = .seconds(30)
    )
        async throws -> Int
    {
        let deadline = ContinuousClock.now + timeout
        while true {
            let n = try await bridge.count(sql)
            if n >= atLeast || ContinuousClock.now > deadline { return n }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// The decoded `data` of the intent's event of `type`.
    static func eventData(_ bridge: TestBridge, _ id: UUID, type: String) async throws -> [String: Any] {
        let rows = try await bridge.database.client.query(
            "SELECT body FROM events WHERE intent_id = \(id) AND type = \(type)")
        for try await body in rows.decode(String.self) {
            let event = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
            return try #require(event["data"] as? [String: Any])
        }
        throw TestFailure("no \(type) event for \(id)")
    }

    /// The reconcile attempts' evidence (JSON objects), oldest first.
    static func evidence(_ bridge: TestBridge, _ id: UUID) async throws -> [[String: Any]] {
        let rows = try await bridge.database.client.query(
            "SELECT evidence::text FROM attempts WHERE intent_id = \(id) AND stage = 'reconcile' AND evidence IS NOT NULL ORDER BY id"
        )
        var found: [[String: Any]] = []
        for try await text in rows.decode(String.self) {
            found.append(try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]))
        }
        return found
    }

    /// Books `start` on the personal link directly at the sandbox (not through the bridge) for `email`.
    static func bookAtSandbox(_ bridge: TestBridge, start: Date, email: String) async throws {
        var request = HTTPClientRequest(
            url: await bridge.sandbox.baseURL + "/scheduler/2026-03/meetings/meeting-links/book")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer sandbox-token")
        request.headers.add(name: "Content-Type", value: "application/json")
        let body: [String: Any] = [
            "slug": SandboxSeeds.personalLinkSlug, "startTime": start.iso, "duration": 1_800_000, "email": email,
            "firstName": "Grace", "lastName": "Other", "formFields": [] as [Any],
            "legalConsentResponses": [] as [Any], "likelyAvailableUserIds": [] as [Any], "timezone": "Europe/London",
        ]
        request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: body)))
        let response = try await bridge.http.execute(request, timeout: .seconds(10))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        try #require(response.status.code == 200, "sandbox booking: \(text)")
    }

    /// Long caches, so that a booking made while every HubSpot answer fails still gets past enrichment.
    static func longCaches(_ c: inout BridgeConfiguration) {
        c.availability.cacheTTL = .seconds(600)
        c.pipeline.linkCacheTTL = .seconds(600)
    }

    /// Books `warm` (when given) through the bridge (filling the link and availability caches), then submits `target` while
    /// every HubSpot answer is a 503: the booking call is answered 503 without booking (uncertain), and the CRM
    /// reads of its reconciliation fail the same way. Returns the target's intent id once its reconcile attempts
    /// have failed `failures` times.
    static func uncertainWithoutBooking(
        _ bridge: TestBridge, warm: Date?, target: Date, person: Int, failures: Int = 1
    ) async throws -> UUID {
        if let warm {
            let warmed = try await bridge.waitForFinal(
                try Self.id(try await bridge.submit("web", Self.person(person + 100, start: warm))))
            try #require(warmed.status == .booked)
        }
        var faults = SandboxFaults()
        faults.failRate = 1
        faults.failStatus = 503
        await bridge.sandbox.setFaults(faults)
        let id = try Self.id(try await bridge.submit("web", Self.person(person, start: target)))
        let failed = try await Self.waitForCount(
            bridge,
            "SELECT count(*) FROM attempts WHERE intent_id = '\(id)' AND stage = 'reconcile' AND http_status = 503",
            atLeast: failures)
        try #require(failed >= failures, "the CRM reads failed \(failed) times")
        #expect(
            try await bridge.count(
                "SELECT count(*) FROM attempts WHERE intent_id = '\(id)' AND stage = 'book' AND outcome = 'uncertain' AND http_status = 503"
            ) == 1)
        return id
    }

    @Test("meeting found: booked from the CRM's evidence, booking.confirmed says reconciled, one booking in HubSpot")
    func meetingFound() async throws {
        try await TestBridge.run { bridge in
            let (slot, _) = try await Self.twoSlots(bridge, skip: 2)
            var faults = SandboxFaults()
            faults.dropAfterBookRate = 1
            await bridge.sandbox.setFaults(faults)
            let id = try Self.id(try await bridge.submit("web", Self.person(41, start: slot)))
            let intent = try await bridge.waitForFinal(id, timeout: .seconds(60))
            #expect(intent.status == .booked)
            let bookings = await bridge.sandbox.bookings()
            #expect(bookings.count == 1, "booked exactly once")
            let booking = try #require(bookings.first)
            #expect(
                try await bridge.count(
                    "SELECT count(*) FROM attempts WHERE intent_id = '\(id)' AND stage = 'book' AND outcome = 'uncertain'"
                )
                    == 1)
            #expect(
                try await bridge.count(
                    "SELECT count(*) FROM bookings WHERE intent_id = '\(id)' AND calendar_event_id = '\(booking.calendarEventId)' AND contact_id = '\(booking.contactId)'"
                ) == 1, "the booking row carries the CRM meeting's calendar event and contact")
            let evidence = try await Self.evidence(bridge, id)
            #expect(evidence.count == 1)
            #expect(evidence.first?["found"] as? Bool == true)
            #expect(evidence.first?["calendarEventId"] as? String == booking.calendarEventId)
            #expect(evidence.first?["contactId"] as? String == booking.contactId)
            let meetingId = try #require(evidence.first?["meetingId"] as? String)
            let data = try await Self.eventData(bridge, id, type: "booking.confirmed")
            #expect(data["reconciled"] as? Bool == true)
            let eventBooking = try #require(data["booking"] as? [String: Any])
            #expect(eventBooking["meetingId"] as? String == meetingId)
            #expect(eventBooking["calendarEventId"] as? String == booking.calendarEventId)
            #expect(eventBooking["contactId"] as? String == booking.contactId)
        }
    }

    @Test("a CRM read that fails: the intent stays due and is asked again, never booked blindly; then settled")
    func crmFailureStaysDue() async throws {
        try await TestBridge.run(configure: Self.longCaches) { bridge in
            let (warm, target) = try await Self.twoSlots(bridge, skip: 4)
            let id = try await Self.uncertainWithoutBooking(bridge, warm: warm, target: target, person: 42, failures: 3)
            let waiting = try #require(try await IntentStore(database: bridge.database).find(id: id))
            #expect(!waiting.status.isFinal, "\(waiting.status)")
            #expect(waiting.uncertain, "still uncertain: reconciled again, not booked")
            #expect(waiting.lastError?.message.contains("CRM") == true, "\(String(describing: waiting.lastError))")
            #expect(
                try await bridge.count("SELECT count(*) FROM attempts WHERE intent_id = '\(id)' AND stage = 'book'")
                    == 1, "no second booking call while the CRM cannot be read")
            await bridge.sandbox.setFaults(SandboxFaults())
            let done = try await bridge.waitForFinal(id, timeout: .seconds(60))
            #expect(done.status == .booked)
            #expect(
                await bridge.sandbox.bookings().filter { $0.startMillis == HubSpotTimestamp.millis(target) }.count == 1)
        }
    }

    @Test("no meeting and the slot still free: booked again, exactly one booking")
    func notFoundSlotFree() async throws {
        try await TestBridge.run(configure: Self.longCaches) { bridge in
            let (warm, target) = try await Self.twoSlots(bridge, skip: 6)
            let id = try await Self.uncertainWithoutBooking(bridge, warm: warm, target: target, person: 43)
            await bridge.sandbox.setFaults(SandboxFaults())
            let intent = try await bridge.waitForFinal(id, timeout: .seconds(60))
            #expect(intent.status == .booked)
            let atTarget = await bridge.sandbox.bookings().filter { $0.startMillis == HubSpotTimestamp.millis(target) }
            #expect(atTarget.count == 1, "exactly one booking")
            #expect(atTarget.first?.email == "visitor43@lovelace.dev")
            let evidence = try await Self.evidence(bridge, id)
            #expect(evidence.last?["found"] as? Bool == false, "\(evidence)")
            #expect(
                try await bridge.count(
                    "SELECT count(*) FROM attempts WHERE intent_id = '\(id)' AND stage = 'book' AND outcome = 'ok'")
                    == 1)
            let data = try await Self.eventData(bridge, id, type: "booking.confirmed")
            #expect(data["reconciled"] == nil, "booked by its own call, not from the CRM")
        }
    }

    @Test("no meeting and the slot taken by another contact: needs_review, saying no meeting was found")
    func notFoundSlotTaken() async throws {
        try await TestBridge.run(configure: Self.longCaches) { bridge in
            let (warm, target) = try await Self.twoSlots(bridge, skip: 8)
            // Cache the link's availability first, then let someone else take the slot at HubSpot itself.
            let warmed = try await bridge.waitForFinal(
                try Self.id(try await bridge.submit("web", Self.person(144, start: warm))))
            try #require(warmed.status == .booked)
            try await Self.bookAtSandbox(bridge, start: target, email: "grace@hopper.dev")
            let id = try await Self.uncertainWithoutBooking(bridge, warm: nil, target: target, person: 44)
            await bridge.sandbox.setFaults(SandboxFaults())
            let intent = try await bridge.waitForFinal(id, timeout: .seconds(60))
            #expect(intent.status == .needsReview)
            #expect(
                intent.lastError?.message.contains(CRMEvidence.notFoundNote) == true,
                "\(String(describing: intent.lastError))")
            let atTarget = await bridge.sandbox.bookings().filter { $0.startMillis == HubSpotTimestamp.millis(target) }
            #expect(atTarget.map(\.email) == ["grace@hopper.dev"], "only the other contact's booking")
            #expect(try await Self.evidence(bridge, id).last?["found"] as? Bool == false)
        }
    }

    @Test("a token without the CRM read scope: reconciled by availability as before (needs_review), never booked twice")
    func noScopeFallsBack() async throws {
        try await TestBridge.run(configure: { $0.hubspot.accessToken = "sandbox-no-crm" }) { bridge in
            let (slot, _) = try await Self.twoSlots(bridge, skip: 10)
            var faults = SandboxFaults()
            faults.dropAfterBookRate = 1
            await bridge.sandbox.setFaults(faults)
            let id = try Self.id(try await bridge.submit("web", Self.person(45, start: slot)))
            let intent = try await bridge.waitForFinal(id, timeout: .seconds(60))
            #expect(intent.status == .needsReview)
            #expect(await bridge.sandbox.bookings().count == 1, "booked exactly once")
            #expect(
                try await bridge.count(
                    "SELECT count(*) FROM attempts WHERE intent_id = '\(id)' AND stage = 'reconcile' AND http_status = 403"
                )
                    == 1, "the CRM was asked once and refused")
            #expect(try await Self.evidence(bridge, id).isEmpty)
            #expect(intent.lastError?.message.contains(CRMEvidence.notFoundNote) == false)
        }
    }
}
