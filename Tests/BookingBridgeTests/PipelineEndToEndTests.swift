import BookingBridge
import Foundation
import HubSpotSandbox
import NIOHTTP1
import PostgresNIO
import Testing

/// The booking pipeline end to end: real HTTP intake, a real PostgreSQL, the real HubSpot client and the sandbox.
@Suite("Pipeline end to end", .serialized)
struct PipelineEndToEndTests {
    static func id(_ answer: TestBridge.Answer) throws -> UUID {
        let text = try #require(
            answer.json?["id"] as? String, "answer: \(answer.status) \(String(decoding: answer.body, as: UTF8.self))")
        return try #require(UUID(uuidString: text))
    }

    static func person(_ n: Int, start: Date, extra: [String: Any] = [:]) -> [String: Any] {
        ["email": "visitor\(n)@lovelace.dev", "firstName": "Ada", "lastName": "Visitor\(n)", "startTime": start.iso]
            .merging(extra) { _, new in new }
    }

    @Test("200 with a calendar event: booked, with the booking row and a booking.confirmed event in the outbox")
    func booked() async throws {
        try await TestBridge.run { bridge in
            let slot = try #require(
                try await bridge.freeSlots(slug: SandboxSeeds.personalLinkSlug, timezone: "Europe/London", minutes: 30)
                    .dropFirst(3).first)
            let answer = try await bridge.submit("web", Self.person(1, start: slot))
            #expect(answer.status == 202)
            let intent = try await bridge.waitForFinal(try Self.id(answer))
            #expect(intent.status == .booked)
            #expect(intent.attempts == 1)
            let bookings = await bridge.sandbox.bookings()
            #expect(bookings.count == 1)
            #expect(
                try await bridge.count(
                    "SELECT count(*) FROM bookings WHERE intent_id = '\(intent.id)' AND calendar_event_id <> ''") == 1)
            #expect(
                try await bridge.count(
                    "SELECT count(*) FROM events WHERE intent_id = '\(intent.id)' AND type = 'booking.confirmed'") == 1)
            #expect(
                try await bridge.count(
                    "SELECT count(*) FROM attempts WHERE intent_id = '\(intent.id)' AND stage = 'book' AND outcome = 'ok'"
                ) == 1)
        }
    }

    @Test("the offline trap: 200 with isOffline is recorded as offline with booking.offline, never as confirmed")
    func offline() async throws {
        try await TestBridge.run { bridge in
            // Wednesdays 12:00-13:00 New York time only Alex, who has no connected calendar, is free.
            let slots = try await bridge.freeSlots(
                slug: SandboxSeeds.roundRobinLinkSlug, timezone: "America/New_York", minutes: 30)
            var newYork = Calendar(identifier: .gregorian)
            newYork.timeZone = TimeZone(identifier: "America/New_York")!
            let slot = try #require(
                slots.first { date in
                    let c = newYork.dateComponents([.weekday, .hour], from: date)
                    return c.weekday == 4 && c.hour == 12
                })
            let answer = try await bridge.submit(
                "rr", Self.person(2, start: slot), headers: [("Authorization", "Bearer rr-token")])
            #expect(answer.status == 202)
            let intent = try await bridge.waitForFinal(try Self.id(answer))
            #expect(intent.status == .offline)
            #expect(intent.lastError?.subCategory == "OFFLINE")
            #expect(
                try await bridge.count(
                    "SELECT count(*) FROM events WHERE intent_id = '\(intent.id)' AND type = 'booking.offline'") == 1)
            #expect(try await bridge.count("SELECT count(*) FROM events WHERE type = 'booking.confirmed'") == 0)
        }
    }

    @Test("a permanent HubSpot error (rejected e-mail) fails with HubSpot's category, message and correlation id")
    func permanentFailure() async throws {
        try await TestBridge.run { bridge in
            let slot = try #require(
                try await bridge.freeSlots(slug: SandboxSeeds.personalLinkSlug, timezone: "Europe/London", minutes: 30)
                    .dropFirst(5).first)
            let answer = try await bridge.submit(
                "web", Self.person(3, start: slot, extra: ["email": "someone@example.com"]))
            #expect(answer.status == 202)
            let intent = try await bridge.waitForFinal(try Self.id(answer))
            #expect(intent.status == .failed)
            #expect(intent.lastError?.origin == "hubspot")
            #expect(intent.lastError?.httpStatus == 400)
            #expect(intent.lastError?.correlationId?.isEmpty == false)
            #expect(
                intent.lastError?.subCategory?.contains("INVALID_EMAIL") == true
                    || intent.lastError?.category?.contains("INVALID_EMAIL") == true)
            #expect(
                try await bridge.count(
                    "SELECT count(*) FROM events WHERE intent_id = '\(intent.id)' AND type = 'booking.failed'") == 1)
            #expect(await bridge.sandbox.bookings().isEmpty)
        }
    }

    @Test("a start the link does not offer fails before booking, with the next offered starts")
    func notOffered() async throws {
        try await TestBridge.run { bridge in
            let slots = try await bridge.freeSlots(
                slug: SandboxSeeds.personalLinkSlug, timezone: "Europe/London", minutes: 30)
            let offered = Set(slots)
            // 03:00 London time, a few days ahead, is outside working hours.
            var london = Calendar(identifier: .gregorian)
            london.timeZone = TimeZone(identifier: "Europe/London")!
            let day = try #require(slots.dropFirst(slots.count / 2).first)
            let night = try #require(london.date(bySettingHour: 3, minute: 0, second: 0, of: day))
            #expect(!offered.contains(night))
            let answer = try await bridge.submit("web", Self.person(4, start: night))
            let intent = try await bridge.waitForFinal(try Self.id(answer))
            #expect(intent.status == .failed)
            #expect(intent.lastError?.subCategory == "MEETING_START_TIME_NOT_VALID")
            let suggested = try #require(intent.lastError?.suggestedStartTimes)
            #expect(!suggested.isEmpty)
            #expect(suggested.allSatisfy { offered.contains($0) && $0 > night })
            #expect(
                try await bridge.count(
                    "SELECT count(*) FROM attempts WHERE intent_id = '\(intent.id)' AND stage = 'book'") == 0)
        }
    }

    @Test("a missing required form field fails in enrichment without a booking call")
    func enrichmentFailure() async throws {
        try await TestBridge.run { bridge in
            let slot = try #require(
                try await bridge.freeSlots(slug: SandboxSeeds.formLinkSlug, timezone: "Europe/Berlin", minutes: 45)
                    .dropFirst(1).first)
            let answer = try await bridge.submit(
                "onboarding", Self.person(5, start: slot, extra: ["processing_ok": "true"]))
            let intent = try await bridge.waitForFinal(try Self.id(answer))
            #expect(intent.status == .failed)
            #expect(intent.lastError?.subCategory == "REQUIRED_FORM_FIELD")
            #expect(intent.lastError?.message.contains("account_id") == true)
            #expect(await bridge.sandbox.bookings().isEmpty)
        }
    }

    @Test("retryable errors are retried until booked; exhausted retries fail with the last reason")
    func retriesThenFails() async throws {
        try await TestBridge.run(configure: {
            $0.pipeline.maxAttempts = 6
            $0.pipeline.maxBackoff = .milliseconds(200)
        }) { bridge in
            let slots = try await bridge.freeSlots(
                slug: SandboxSeeds.personalLinkSlug, timezone: "Europe/London", minutes: 30)
            var failing = SandboxFaults()
            failing.failRate = 1
            failing.failStatus = 521
            await bridge.sandbox.setFaults(failing)
            // 521 never reached HubSpot: retryable; with every call failing, the intent gives up after 6 attempts.
            let doomed = try await bridge.submit("web", Self.person(6, start: slots[7]))
            let failed = try await bridge.waitForFinal(try Self.id(doomed), timeout: .seconds(60))
            #expect(failed.status == .failed)
            #expect(failed.attempts == 6)
            #expect(failed.lastError?.httpStatus == 521)
            #expect(failed.lastError?.message.contains("gave up") == true)

            // The next intent fails once, then HubSpot recovers: it is retried until booked.
            let answer = try await bridge.submit("web", Self.person(7, start: slots[9]))
            let id = try Self.id(answer)
            let deadline = ContinuousClock.now + .seconds(30)
            while try await IntentStore(database: bridge.database).find(id: id)?.attempts ?? 0 < 1,
                ContinuousClock.now < deadline
            {
                try await Task.sleep(for: .milliseconds(5))
            }
            await bridge.sandbox.setFaults(SandboxFaults())
            let intent = try await bridge.waitForFinal(id, timeout: .seconds(60))
            #expect(intent.status == .booked)
            #expect(intent.attempts >= 2, "it failed at least once before booking")
            #expect(await bridge.sandbox.bookings().count == 1)
        }
    }

    @Test(
        "book, then drop the answer, with a token that cannot read the CRM: reconciled to needs_review (never booked twice), and an operator resolves it"
    )
    func uncertainNeedsReview() async throws {
        try await TestBridge.run(configure: { $0.hubspot.accessToken = "sandbox-no-crm" }) { bridge in
            let slot = try #require(
                try await bridge.freeSlots(slug: SandboxSeeds.personalLinkSlug, timezone: "Europe/London", minutes: 30)
                    .dropFirst(11).first)
            var faults = SandboxFaults()
            faults.dropAfterBookRate = 1
            await bridge.sandbox.setFaults(faults)
            let answer = try await bridge.submit("web", Self.person(8, start: slot))
            let intent = try await bridge.waitForFinal(try Self.id(answer), timeout: .seconds(60))
            #expect(intent.status == .needsReview)
            #expect(await bridge.sandbox.bookings().count == 1, "booked exactly once")
            #expect(
                try await bridge.count(
                    "SELECT count(*) FROM attempts WHERE intent_id = '\(intent.id)' AND outcome = 'uncertain'") >= 1)
            #expect(
                try await bridge.count(
                    "SELECT count(*) FROM events WHERE intent_id = '\(intent.id)' AND type = 'booking.needs_review'")
                    == 1)

            let auth = [("Authorization", "Bearer \(bridge.adminToken)"), ("Content-Type", "application/json")]
            let resolved = try await bridge.request(
                .POST, "/v1/intents/\(intent.id)/resolve", headers: auth,
                body: Data(#"{"status":"booked","calendarEventId":"found-in-hubspot","contactId":"c1"}"#.utf8))
            #expect(resolved.status == 200)
            #expect(try await IntentStore(database: bridge.database).find(id: intent.id)?.status == .booked)
            #expect(
                try await bridge.count(
                    "SELECT count(*) FROM bookings WHERE intent_id = '\(intent.id)' AND resolved_by = 'operator'") == 1)
            let again = try await bridge.request(
                .POST, "/v1/intents/\(intent.id)/resolve", headers: auth, body: Data(#"{"status":"failed"}"#.utf8))
            #expect(again.status == 409)
            let unauthorized = try await bridge.request(.POST, "/v1/intents/\(intent.id)/retry")
            #expect(unauthorized.status == 401)
        }
    }

    @Test("500 intents with 30% of HubSpot calls failing with 5xx and added latency: all booked, each exactly once")
    func faultyHubSpotAllBooked() async throws {
        try await TestBridge.run(
            sandbox: { $0.rateLimit = 100_000 },
            configure: {
                $0.hubspot.rateLimitPer10s = 100_000
                $0.pipeline.maxAttempts = 50
                $0.pipeline.workers = 16
            }
        ) { bridge in
            let slots = try await bridge.freeSlots(
                slug: SandboxSeeds.personalLinkSlug, timezone: "Europe/London", minutes: 15)
            try #require(slots.count >= 500, "the sandbox offers \(slots.count) 15-minute slots")
            var faults = SandboxFaults()
            faults.failRate = 0.3
            faults.failStatus = 503
            faults.latencyMs = 20
            await bridge.sandbox.setFaults(faults)
            // Submitted 50 at a time: what is tested is the pipeline under HubSpot's faults, and 500 requests at
            // once would wait for the test client's connection pool past its timeout on a loaded machine.
            var ids: [UUID] = []
            for chunk in stride(from: 0, to: 500, by: 50) {
                ids += try await withThrowingTaskGroup(of: UUID.self) { group in
                    for n in chunk..<chunk + 50 {
                        let slot = slots[n]
                        group.addTask {
                            let answer = try await bridge.submit(
                                "web", Self.person(1000 + n, start: slot, extra: ["durationMinutes": 15]),
                                headers: [("Idempotency-Key", "bulk-\(n)")])
                            #expect(answer.status == 202)
                            return try Self.id(answer)
                        }
                    }
                    return try await group.reduce(into: [UUID]()) { $0.append($1) }
                }
            }
            #expect(Set(ids).count == 500)
            for id in ids { _ = try await bridge.waitForFinal(id, timeout: .seconds(240)) }
            let booked = try await bridge.count("SELECT count(*) FROM intents WHERE status = 'booked'")
            let notBooked = try await bridge.count("SELECT count(*) FROM intents WHERE status <> 'booked'")
            let sandboxBookings = await bridge.sandbox.bookings()
            #expect(booked == 500, "\(notBooked) not booked")
            #expect(sandboxBookings.count == 500, "each booked exactly once")
            #expect(Set(sandboxBookings.map(\.startMillis)).count == sandboxBookings.count, "no slot booked twice")
            let retried = try await bridge.count("SELECT count(DISTINCT intent_id) FROM attempts WHERE outcome <> 'ok'")
            #expect(retried > 50, "the faults were real: \(retried) intents saw a failed call")
        }
    }

    @Test(
        "with answers dropped after booking on some calls: every one booked once, the lost answers settled from the CRM"
    )
    func droppedAnswers() async throws {
        try await TestBridge.run(
            sandbox: { $0.rateLimit = 100_000 },
            configure: { $0.hubspot.rateLimitPer10s = 100_000 }
        ) { bridge in
            let slots = try await bridge.freeSlots(
                slug: SandboxSeeds.personalLinkSlug, timezone: "Europe/London", minutes: 15)
            var faults = SandboxFaults()
            faults.dropAfterBookRate = 0.3
            await bridge.sandbox.setFaults(faults)
            var ids: [UUID] = []
            for n in 0..<60 {
                let answer = try await bridge.submit(
                    "web", Self.person(3000 + n, start: slots[n * 2], extra: ["durationMinutes": 15]))
                ids.append(try Self.id(answer))
            }
            var statuses: [IntentStatus: Int] = [:]
            for id in ids {
                statuses[try await bridge.waitForFinal(id, timeout: .seconds(120)).status, default: 0] += 1
            }
            let bookings = await bridge.sandbox.bookings()
            #expect(Set(bookings.map(\.startMillis)).count == bookings.count, "no slot booked twice")
            #expect(bookings.count == 60, "every intent booked exactly once in HubSpot")
            #expect(statuses[.failed, default: 0] == 0, "none failed by mistake: \(statuses)")
            #expect(statuses[.booked, default: 0] == 60, "none needs a person: \(statuses)")
            let reconciled = try await bridge.count(
                "SELECT count(*) FROM events WHERE type = 'booking.confirmed' AND body::jsonb->'data'->>'reconciled' = 'true'"
            )
            let uncertain = try await bridge.count(
                "SELECT count(DISTINCT intent_id) FROM attempts WHERE stage = 'book' AND outcome = 'uncertain'")
            #expect(uncertain > 0, "some answers were dropped")
            #expect(reconciled == uncertain, "each lost answer settled from the CRM: \(reconciled) of \(uncertain)")
        }
    }

    @Test("two bridges on one database split the work and together stay within the HubSpot budget")
    func twoBridgesShareWorkAndBudget() async throws {
        try await TestBridge.run(
            // HubSpot takes 100 ms a call and each bridge has two workers, so that neither bridge can take every
            // intent the moment it is committed (with instant answers one bridge may win every race).
            sandbox: {
                $0.rateLimit = 40
                $0.faults.latencyMs = 100
            },
            configure: {
                $0.hubspot.rateLimitPer10s = 40
                $0.pipeline.workers = 2
            }
        ) { first in
            // A second bridge on the same database and the same HubSpot account.
            var configuration = TestBridge.configuration(
                databaseURL: first.databaseURL, sandboxURL: await first.sandbox.baseURL)
            configuration.hubspot.rateLimitPer10s = 40
            configuration.pipeline.workers = 2
            configuration.hubspot.account = first.bridge.configuration.hubspot.account
            let second = BridgeApplication(
                configuration: configuration, database: first.database, httpClient: first.http,
                logger: TestBridge.logger)
            let secondPipeline = BookingPipeline(
                database: first.database, api: second.makeHubSpotClient(),
                availability: second.makeAvailabilityCache(client: second.makeHubSpotClient()),
                settings: configuration.pipeline,
                logger: TestBridge.logger)
            let slots = try await first.freeSlots(
                slug: SandboxSeeds.personalLinkSlug, timezone: "Europe/London", minutes: 15)
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await secondPipeline.run() }
                var ids: [UUID] = []
                for n in 0..<40 {
                    let answer = try await first.submit(
                        "web", Self.person(5000 + n, start: slots[n * 2], extra: ["durationMinutes": 15]))
                    ids.append(try Self.id(answer))
                }
                for id in ids { _ = try await first.waitForFinal(id, timeout: .seconds(120)) }
                group.cancelAll()
                let owners = try await first.count(
                    "SELECT count(DISTINCT locked_by) FROM intents WHERE status = 'booked'")
                #expect(owners == 2, "both bridges booked some of the intents")
                let stats = await first.sandbox.requestStats()
                #expect(stats.rateLimited == 0, "no 429s")
                #expect(stats.maxInAnyWindow <= 40)
                #expect(await first.sandbox.bookings().count == 40)
            }
        }
    }
}
