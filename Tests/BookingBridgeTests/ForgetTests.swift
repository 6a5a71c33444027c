import BookingBridge
import Foundation
import PostgresNIO
import Testing

@Suite("Forget")
struct ForgetTests {
    typealias F = RetentionFixtures

    @Test("erases every intent of one address, whatever its case, with everything hanging off it")
    func erasesOnePerson() async throws {
        try await TestDatabase.withFreshDatabase { db in
            let sub = try await F.subscription(db)
            let booked = try await F.intent(db, email: "jane@example.com", status: "booked")
            try await F.attempt(db, intent: booked)
            try await F.attempt(db, intent: booked)
            try await F.booking(db, intent: booked)
            let event = try await F.event(db, intent: booked)
            try await F.delivery(db, event: event, subscription: sub, status: "delivered", attempts: 2)
            let failed = try await F.intent(db, email: "jane@example.com", status: "failed")
            let failedEvent = try await F.event(db, intent: failed)
            // A pending delivery about her must not go out after the erasure.
            try await F.delivery(db, event: failedEvent, subscription: sub, status: "pending", attempts: 0)
            try await F.intent(db, email: "jane@example.com", status: "received", finished: false)

            let other = try await F.intent(db, email: "john@example.com", status: "booked")
            try await F.attempt(db, intent: other)
            try await F.booking(db, intent: other)
            let otherEvent = try await F.event(db, intent: other)
            try await F.delivery(db, event: otherEvent, subscription: sub)
            let unrelated = try await F.event(db, intent: nil)

            let report = try await Forget.erase(email: "  Jane@Example.COM ", database: db)

            #expect(report.email == "jane@example.com")
            #expect(report.removed.intents == 3)
            #expect(report.removed.attempts == 2)
            #expect(report.removed.bookings == 1)
            #expect(report.removed.events == 2)
            #expect(report.removed.deliveries == 2)
            #expect(report.removed.deliveryAttempts == 2)
            #expect(report.inFlight == 0)
            #expect(try await F.exists(db, intent: other))
            #expect(try await F.count(db, "intents") == 1)
            #expect(try await F.count(db, "attempts") == 1)
            #expect(try await F.count(db, "bookings") == 1)
            let events = try await db.client.query("SELECT id FROM events").decode(String.self)
                .reduce(into: Set<String>()) { $0.insert($1) }
            #expect(events == [otherEvent, unrelated])
            #expect(try await F.count(db, "deliveries") == 1)
            #expect(try await F.count(db, "delivery_attempts") == 1)
        }
    }

    @Test("an intent a worker is booking right now is kept and reported")
    func keepsLeasedIntent() async throws {
        try await TestDatabase.withFreshDatabase { db in
            let leased = try await F.intent(
                db, email: "ada@example.com", status: "retrying", finished: false, lockedFor: 60)
            let expiredLease = try await F.intent(
                db, email: "ada@example.com", status: "received", finished: false, lockedFor: -60)
            let report = try await Forget.erase(email: "ada@example.com", database: db)
            #expect(report.removed.intents == 1)
            #expect(report.inFlight == 1)
            #expect(try await F.exists(db, intent: leased))
            #expect(try await !F.exists(db, intent: expiredLease))
        }
    }

    @Test("an unknown address removes nothing; an empty one is refused")
    func unknownAndEmpty() async throws {
        try await TestDatabase.withFreshDatabase { db in
            try await F.intent(db, email: "someone@example.com")
            let report = try await Forget.erase(email: "nobody@example.com", database: db)
            #expect(report.removed == RetentionReport())
            #expect(report.removed.total == 0)
            #expect(try await F.count(db, "intents") == 1)
            await #expect(throws: ForgetError.self) { try await Forget.erase(email: "  ", database: db) }
        }
    }
}
