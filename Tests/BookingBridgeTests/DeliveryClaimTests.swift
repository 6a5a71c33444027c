import BookingBridge
import Foundation
import PostgresNIO
import Synchronization
import Testing

/// The dispatcher's claim: leases, limits and quotas, straight against the store.
@Suite("Delivery claims")
struct DeliveryClaimTests {
    /// A subscription with `count` pending deliveries, due at once.
    static func seed(_ db: Database, count: Int) async throws -> Subscription {
        let subscription = try await SubscriptionStore(database: db).create(
            NewSubscription(url: "http://127.0.0.1:9/hook", eventTypes: ["*"]))
        try await db.client.query(
            """
            INSERT INTO events (id, type, body)
            SELECT 'evt_claim_' || g, 'booking.confirmed', '{}' FROM generate_series(1, \(count)) AS g
            """, logger: db.logger)
        try await db.client.query(
            """
            INSERT INTO deliveries (event_id, subscription_id)
            SELECT 'evt_claim_' || g, \(subscription.id) FROM generate_series(1, \(count)) AS g
            """, logger: db.logger)
        return subscription
    }

    /// Each delivery's `next_attempt_at`.
    static func nextAttempts(_ db: Database) async throws -> [Int64: Date] {
        var result: [Int64: Date] = [:]
        let rows = try await db.client.query("SELECT id, next_attempt_at FROM deliveries", logger: db.logger)
        for try await (id, at) in rows.decode((Int64, Date).self) { result[id] = at }
        return result
    }

    @Test("a leased delivery is not claimed again until its lease ends, then it is, with the attempt counted")
    func leaseKeepsOthersOff() async throws {
        try await TestDatabase.withFreshDatabase { db in
            _ = try await Self.seed(db, count: 3)
            let store = DeliveryStore(database: db)
            let dueBefore = try await Self.nextAttempts(db)

            let first = try await store.claim(
                owner: "a", limit: 2, quotas: [:], defaultQuota: 4, lease: .milliseconds(1500))
            #expect(first.count == 2)
            #expect(first.allSatisfy { $0.attempt == 1 && $0.eventType == "booking.confirmed" && $0.body == "{}" })
            let second = try await store.claim(
                owner: "b", limit: 10, quotas: [:], defaultQuota: 10, lease: .seconds(60))
            #expect(second.count == 1, "only the unleased delivery")
            #expect(Set(first.map(\.id)).isDisjoint(with: second.map(\.id)))
            let none = try await store.claim(
                owner: "c", limit: 10, quotas: [:], defaultQuota: 10, lease: .seconds(60))
            #expect(none.isEmpty, "every delivery is under a live lease")

            // The claim leaves next_attempt_at alone (so it can update the row in place); the lease is locked_until.
            let dueAfter = try await Self.nextAttempts(db)
            #expect(dueAfter == dueBefore)

            try await Task.sleep(for: .milliseconds(1700))
            let again = try await store.claim(
                owner: "c", limit: 10, quotas: [:], defaultQuota: 10, lease: .seconds(60))
            #expect(Set(again.map(\.id)) == Set(first.map(\.id)), "a's lease ended")
            #expect(again.allSatisfy { $0.attempt == 2 })
            // a's records no longer count: c holds the deliveries now.
            let held = try await store.record(
                DeliveryAttemptOutcome(
                    deliveryID: first[0].id, subscriptionID: first[0].subscriptionID, attempt: 1, startedAt: Date(),
                    duration: .milliseconds(2), result: .response(status: 204, retryAfter: nil), decision: .delivered),
                owner: "a")
            #expect(!held)
        }
    }

    @Test("a claim takes no more than its limit, nor more than each subscription's quota")
    func limitAndQuota() async throws {
        try await TestDatabase.withFreshDatabase { db in
            let one = try await Self.seed(db, count: 6)
            let store = DeliveryStore(database: db)
            let limited = try await store.claim(
                owner: "a", limit: 2, quotas: [:], defaultQuota: 5, lease: .seconds(60))
            #expect(limited.count == 2)
            let quota = try await store.claim(
                owner: "a", limit: 10, quotas: [one.id: 3], defaultQuota: 5, lease: .seconds(60))
            #expect(quota.count == 3)
            let closed = try await store.claim(
                owner: "a", limit: 10, quotas: [one.id: 0], defaultQuota: 5, lease: .seconds(60))
            #expect(closed.isEmpty)
            let rest = try await store.claim(
                owner: "a", limit: 10, quotas: [:], defaultQuota: 5, lease: .seconds(60))
            #expect(rest.count == 1)
            let locked = try await db.client.query(
                "SELECT count(*) FROM deliveries WHERE locked_by = 'a'", logger: db.logger
            ).decode(Int.self).first { _ in true }
            #expect(locked == 6)
        }
    }

    /// Attempt rows per delivery id.
    static func attemptCounts(_ db: Database) async throws -> [Int64: Int] {
        var result: [Int64: Int] = [:]
        let rows = try await db.client.query(
            "SELECT delivery_id, count(*) FROM delivery_attempts GROUP BY delivery_id", logger: db.logger)
        for try await (id, count) in rows.decode((Int64, Int).self) { result[id] = count }
        return result
    }

    static func delivered(_ delivery: ClaimedDelivery) -> DeliveryAttemptOutcome {
        DeliveryAttemptOutcome(
            deliveryID: delivery.id, subscriptionID: delivery.subscriptionID, attempt: delivery.attempt,
            startedAt: Date(), duration: .milliseconds(2), result: .response(status: 204, retryAfter: nil),
            decision: .delivered)
    }

    @Test("a batch records every attempt whose delivery exists; one deleted mid-request records nothing, alone")
    func recordSkipsDeletedDeliveries() async throws {
        try await TestDatabase.withFreshDatabase { db in
            _ = try await Self.seed(db, count: 3)
            let store = DeliveryStore(database: db)
            let claimed = try await store.claim(
                owner: "a", limit: 3, quotas: [:], defaultQuota: 3, lease: .seconds(60))
            try #require(claimed.count == 3)
            let (kept, taken, deleted) = (claimed[0], claimed[1], claimed[2])
            // Another dispatcher holds one (a's lease ran out); one is deleted while its request is in flight (its
            // subscription deleted, or the person erased). Before migration 006 the foreign key failed the whole
            // batch for that one, and the others were sent again once their leases ended.
            try await db.client.query(
                "UPDATE deliveries SET locked_by = 'b' WHERE id = \(taken.id)", logger: db.logger)
            try await db.client.query("DELETE FROM deliveries WHERE id = \(deleted.id)", logger: db.logger)

            let held = try await store.record(claimed.map(Self.delivered), owner: "a")
            #expect(held == [kept.id])
            #expect(try await Self.attemptCounts(db) == [kept.id: 1, taken.id: 1])
            let states = try await db.client.query(
                "SELECT id, status, locked_by FROM deliveries ORDER BY id", logger: db.logger)
            var seen: [Int64: (String, String?)] = [:]
            for try await (id, status, lockedBy) in states.decode((Int64, String, String?).self) {
                seen[id] = (status, lockedBy)
            }
            #expect(seen.count == 2)
            #expect(seen[kept.id]?.0 == "delivered" && seen[kept.id]?.1 == nil)
            #expect(seen[taken.id]?.0 == "pending" && seen[taken.id]?.1 == "b", "b's delivery is b's to record")
        }
    }

    @Test("deleting deliveries deletes their attempts, whichever way they go")
    func attemptsFollowTheirDeliveries() async throws {
        try await TestDatabase.withFreshDatabase { db in
            let doomed = try await Self.seed(db, count: 2)
            let other = try await SubscriptionStore(database: db).create(
                NewSubscription(url: "http://127.0.0.1:9/other", eventTypes: ["*"]))
            try await db.client.query(
                "INSERT INTO deliveries (event_id, subscription_id) VALUES ('evt_claim_1', \(other.id))",
                logger: db.logger)
            let store = DeliveryStore(database: db)
            let claimed = try await store.claim(
                owner: "a", limit: 10, quotas: [:], defaultQuota: 10, lease: .seconds(60))
            try #require(claimed.count == 3)
            _ = try await store.record(claimed.map(Self.delivered), owner: "a")
            #expect(try await Self.attemptCounts(db).values.reduce(0, +) == 3)

            // Through the subscriptions -> deliveries cascade.
            #expect(try await SubscriptionStore(database: db).delete(id: doomed.id))
            let left = try await Self.attemptCounts(db)
            #expect(Array(left.keys) == claimed.filter { $0.subscriptionID == other.id }.map(\.id))

            // And a plain delete of the delivery.
            try await db.client.query("DELETE FROM deliveries", logger: db.logger)
            #expect(try await Self.attemptCounts(db).isEmpty)
        }
    }

    /// Runs `sql` in a transaction on a connection of its own and keeps the transaction open, its row locks held,
    /// while `body` runs; commits afterwards.
    static func whileUncommitted(
        _ db: Database, _ sql: String, _ body: @Sendable () async throws -> Void
    ) async throws {
        let (ran, ranSignal) = AsyncStream.makeStream(of: Void.self)
        let (gate, open) = AsyncStream.makeStream(of: Void.self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await db.client.withTransaction(logger: db.logger) { connection in
                    try await connection.query(PostgresQuery(unsafeSQL: sql), logger: db.logger)
                    ranSignal.yield()
                    for await _ in gate { break }
                }
            }
            for await _ in ran { break }
            do { try await body() } catch {
                open.finish()
                throw error
            }
            open.finish()
            try await group.waitForAll()
        }
    }

    /// One pending delivery, claimed by "a".
    static func claimedByA(_ db: Database) async throws -> ClaimedDelivery {
        _ = try await seed(db, count: 1)
        return try #require(
            try await DeliveryStore(database: db).claim(
                owner: "a", limit: 1, quotas: [:], defaultQuota: 1, lease: .seconds(60)
            ).first)
    }

    /// Records `delivery`'s success for "a" while another transaction holds `sql`'s row locks uncommitted; checks
    /// that the record waited for that transaction, and returns what it returned once it could go on.
    static func recordForA(
        _ delivery: ClaimedDelivery, whileUncommitted sql: String, _ db: Database
    ) async throws -> Set<Int64> {
        let recording = LockedAsyncResult<Set<Int64>>()
        try await whileUncommitted(db, sql) {
            recording.start { try await DeliveryStore(database: db).record([delivered(delivery)], owner: "a") }
            try await Task.sleep(for: .milliseconds(300))
            #expect(!recording.isDone, "the record waits for the other transaction's row lock")
        }
        return try await recording.value()
    }

    @Test("a record waits for a concurrent delete of a delivery it no longer holds, then records nothing for it")
    func recordWaitsForConcurrentDelete() async throws {
        try await TestDatabase.withFreshDatabase { db in
            let delivery = try await Self.claimedByA(db)
            // a's lease ran out and b holds the delivery; meanwhile an erasure deletes it. a's record must not leave
            // an attempt (personal data in the answer) behind the erasure's back.
            try await db.client.query(
                "UPDATE deliveries SET locked_by = 'b' WHERE id = \(delivery.id)", logger: db.logger)
            let held = try await Self.recordForA(
                delivery, whileUncommitted: "DELETE FROM deliveries WHERE id = \(delivery.id)", db)
            #expect(held == [])
            #expect(try await Self.attemptCounts(db).isEmpty, "no attempt without its delivery")
        }
    }

    @Test("an attempt whose delivery another dispatcher claimed while it was being recorded is still recorded")
    func recordSeesAClaimCommittedMeanwhile() async throws {
        try await TestDatabase.withFreshDatabase { db in
            let delivery = try await Self.claimedByA(db)
            // b claims the delivery (a's lease ran out) while a's record is on its way: a's update waits for b's
            // claim and then finds the delivery is b's, but the request a made still counts as an attempt.
            let held = try await Self.recordForA(
                delivery,
                whileUncommitted:
                    "UPDATE deliveries SET locked_by = 'b', attempts = attempts + 1 WHERE id = \(delivery.id)",
                db)
            #expect(held == [], "b holds the delivery now")
            #expect(try await Self.attemptCounts(db) == [delivery.id: 1])
            let lockedBy = try await db.client.query(
                "SELECT locked_by FROM deliveries WHERE id = \(delivery.id)", logger: db.logger
            ).decode(String?.self).first { _ in true }
            #expect(lockedBy == "b")
        }
    }
}

/// The result of an async call started now and read later, with a look at whether it has finished.
final class LockedAsyncResult<Value: Sendable>: Sendable {
    private let done = Mutex(false)
    private let task = Mutex<Task<Value, any Error>?>(nil)

    func start(_ body: @escaping @Sendable () async throws -> Value) {
        let started = Task {
            defer { self.done.withLock { $0 = true } }
            return try await body()
        }
        task.withLock { $0 = started }
    }

    var isDone: Bool { done.withLock { $0 } }

    func value() async throws -> Value {
        guard let task = task.withLock({ $0 }) else { fatalError("start was not called") }
        return try await task.value
    }
}
