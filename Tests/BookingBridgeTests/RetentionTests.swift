import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Testing

@testable import BookingBridge

@Suite("Retention")
struct RetentionTests {
    typealias F = RetentionFixtures

    static func service(
        _ db: Database, maxAgeDays: Int = 30, batchSize: Int = 1000, interval: Duration = .seconds(600)
    )
        -> RetentionService
    {
        var settings = RetentionSettings()
        settings.maxAge = .seconds(maxAgeDays * 86400)
        settings.batchSize = batchSize
        settings.interval = interval
        return RetentionService(database: db, settings: settings, logger: TestDatabase.logger)
    }

    @Test("old finished intents go with their attempts and booking; recent and unfinished ones stay")
    func prunesFinishedIntents() async throws {
        try await TestDatabase.withFreshDatabase { db in
            let old = try await F.intent(db, status: "booked", age: 40 * F.day)
            try await F.attempt(db, intent: old)
            try await F.attempt(db, intent: old)
            try await F.booking(db, intent: old)
            let oldFailed = try await F.intent(db, status: "failed", age: 31 * F.day)
            let oldSpam = try await F.intent(db, status: "spam", age: 90 * F.day)
            let recent = try await F.intent(db, status: "booked", age: 29 * F.day)
            try await F.booking(db, intent: recent)
            let oldWaiting = try await F.intent(db, status: "received", age: 60 * F.day, finished: false)
            // A retried intent whose finished_at was left behind must still be kept: the status decides.
            let oldRetrying = try await F.intent(db, status: "retrying", age: 60 * F.day, finished: true)
            try await F.attempt(db, intent: oldRetrying)

            let report = try await Self.service(db).prune()

            #expect(report.intents == 3)
            #expect(report.attempts == 2)
            #expect(report.bookings == 1)
            for id in [old, oldFailed, oldSpam] { #expect(try await !F.exists(db, intent: id)) }
            for id in [recent, oldWaiting, oldRetrying] { #expect(try await F.exists(db, intent: id)) }
            #expect(try await F.count(db, "attempts") == 1)
            #expect(try await F.count(db, "bookings") == 1)
            #expect(try await Self.service(db).prune() == RetentionReport(), "a second pass finds nothing")
        }
    }

    @Test("ended deliveries and then their events go; a due delivery keeps itself and its event")
    func prunesDeliveriesAndEvents() async throws {
        try await TestDatabase.withFreshDatabase { db in
            let subA = try await F.subscription(db)
            let subB = try await F.subscription(db)
            let doneEvent = try await F.event(db, intent: nil, age: 40 * F.day)
            try await F.delivery(
                db, event: doneEvent, subscription: subA, status: "delivered", age: 40 * F.day, attempts: 2)
            try await F.delivery(
                db, event: doneEvent, subscription: subB, status: "failed", age: 35 * F.day, attempts: 3)
            let stuckEvent = try await F.event(db, intent: nil, age: 40 * F.day)
            try await F.delivery(db, event: stuckEvent, subscription: subA, status: "delivered", age: 40 * F.day)
            let pending = try await F.delivery(
                db, event: stuckEvent, subscription: subB, status: "pending", age: 40 * F.day)
            let redelivered = try await F.event(db, intent: nil, age: 40 * F.day)
            try await F.delivery(db, event: redelivered, subscription: subA, status: "delivered", age: 2 * F.day)
            let young = try await F.event(db, intent: nil, age: 1 * F.day)
            try await F.delivery(db, event: young, subscription: subA, status: "delivered", age: 1 * F.day)
            let orphan = try await F.event(db, intent: nil, age: 40 * F.day)

            let report = try await Self.service(db).prune()

            #expect(report.deliveries == 3)
            #expect(report.deliveryAttempts == 6)
            #expect(report.events == 2)
            let events = try await db.client.query("SELECT id FROM events ORDER BY id").decode(String.self)
                .reduce(into: Set<String>()) { $0.insert($1) }
            #expect(events == [stuckEvent, redelivered, young])
            #expect(!events.contains(doneEvent) && !events.contains(orphan))
            let left = try await db.client.query("SELECT id FROM deliveries WHERE event_id = \(stuckEvent)")
                .decode(Int64.self).reduce(into: [Int64]()) { $0.append($1) }
            #expect(left == [pending])
            #expect(try await F.count(db, "deliveries") == 3)
        }
    }

    @Test("small batches still prune everything in one pass")
    func batches() async throws {
        try await TestDatabase.withFreshDatabase { db in
            for _ in 0..<7 {
                let id = try await F.intent(db, age: 45 * F.day)
                try await F.attempt(db, intent: id)
            }
            let report = try await Self.service(db, batchSize: 2).prune()
            #expect(report.intents == 7)
            #expect(report.attempts == 7)
            #expect(try await F.count(db, "intents") == 0)
        }
    }

    @Test("the service prunes in the background and stops at graceful shutdown")
    func runsAsService() async throws {
        try await TestDatabase.withFreshDatabase { db in
            try await F.intent(db, age: 45 * F.day)
            let group = ServiceGroup(
                services: [Self.service(db, interval: .milliseconds(50))], gracefulShutdownSignals: [],
                cancellationSignals: [], logger: TestDatabase.logger)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                let deadline = ContinuousClock.now + .seconds(20)
                while try await F.count(db, "intents") > 0 && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(try await F.count(db, "intents") == 0)
                try await F.intent(db, age: 45 * F.day)
                while try await F.count(db, "intents") > 0 && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(try await F.count(db, "intents") == 0, "keeps running every interval")
                let stopped = ContinuousClock.now
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                #expect(ContinuousClock.now - stopped < .seconds(5))
            }
        }
    }

    @Test("a maxAge of zero turns pruning off")
    func zeroMaxAgeIsOff() async throws {
        try await TestDatabase.withFreshDatabase { db in
            try await F.intent(db, age: 400 * F.day)
            var settings = RetentionSettings()
            settings.maxAge = .zero
            try await RetentionService(database: db, settings: settings, logger: TestDatabase.logger).run()
            #expect(try await F.count(db, "intents") == 1)
        }
    }

    @Test("the cutoff is now minus maxAge")
    func cutoff() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        #expect(RetentionService.cutoff(now: now, maxAge: .seconds(3600)) == Date(timeIntervalSince1970: 996_400))
    }
}
