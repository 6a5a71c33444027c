import BookingBridge
import Foundation
import PostgresNIO
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
}
