import BookingBridge
import Foundation
import PostgresNIO
import Testing

/// The dispatcher's claims and attempt records commit without waiting for the disk (see
/// `DeliveryStore.asyncCommit`); that must stay inside their own transactions, because the same pooled connection
/// then serves intake, whose commits must be durable.
@Suite("Delivery store commits")
struct DeliveryStoreCommitTests {
    @Test("claim and record leave the connection's synchronous_commit on")
    func asyncCommitStaysLocal() async throws {
        try await TestDatabase.withFreshDatabase(maximumConnections: 1) { db in
            // The test cluster turns it off; on the pool's one connection the session value is now on.
            try await db.client.query("SET synchronous_commit = on", logger: db.logger)
            #expect(try await Self.synchronousCommit(db) == "on")
            let subscription = try await SubscriptionStore(database: db).create(
                NewSubscription(url: "http://127.0.0.1:9/hook", eventTypes: ["*"]))
            try await db.client.query(
                "INSERT INTO events (id, type, body) VALUES ('evt_commit_test', 'booking.confirmed', '{}')",
                logger: db.logger)
            try await db.client.query(
                "INSERT INTO deliveries (event_id, subscription_id) VALUES ('evt_commit_test', \(subscription.id))",
                logger: db.logger)
            let store = DeliveryStore(database: db)
            let claimed = try await store.claim(
                owner: "test", limit: 4, quotas: [:], defaultQuota: 4, lease: .seconds(60))
            #expect(claimed.count == 1)
            #expect(try await Self.synchronousCommit(db) == "on", "after a claim")
            let delivery = try #require(claimed.first)
            let held = try await store.record(
                DeliveryAttemptOutcome(
                    deliveryID: delivery.id, subscriptionID: delivery.subscriptionID, attempt: delivery.attempt,
                    startedAt: Date(), duration: .milliseconds(3), result: .response(status: 204, retryAfter: nil),
                    decision: .delivered),
                owner: "test")
            #expect(held)
            #expect(try await Self.synchronousCommit(db) == "on", "after a record")
            let status = try await db.client.query(
                "SELECT status FROM deliveries WHERE id = \(delivery.id)", logger: db.logger
            ).decode(String.self).first { _ in true }
            #expect(status == "delivered")
        }
    }

    static func synchronousCommit(_ db: Database) async throws -> String? {
        try await db.client.query("SELECT current_setting('synchronous_commit')", logger: db.logger)
            .decode(String.self).first { _ in true }
    }
}
