import BookingBridge
import Foundation
import PostgresNIO
import Testing

/// Intake's insert and the dispatcher's claim and record run as statements prepared on each connection, or (behind
/// a transaction-mode pooler, `pollOnly`) as unnamed statements with the same text. Both ways must do the same.
@Suite("Prepared statements")
struct PreparedStatementTests {
    @Test(
        "insert, claim and record work prepared and unprepared, again and again on one connection",
        arguments: [true, false])
    func bothWays(prepared: Bool) async throws {
        try await TestDatabase.withFreshDatabase(maximumConnections: 1) { setup, url in
            let db = try Database(url: url, maximumConnections: 1, prepareStatements: prepared, logger: setup.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await db.client.run() }
                defer { group.cancelAll() }
                await db.runStarted()
                let store = IntentStore(database: db)
                let intents = (0..<3).map { n in
                    NewIntent(
                        source: "web", idempotencyKey: "key-\(n)", raw: RawSubmission(contentType: "x", fields: [:]),
                        request: BookingRequest(
                            slug: "a/b", startTime: Date(timeIntervalSinceNow: 86_400), durationMinutes: 30,
                            email: "P\(n)@Example.org", firstName: "Ada", lastName: "-", timezone: "UTC"),
                        clientIP: n == 0 ? nil : "192.0.2.\(n)", userAgent: n == 1 ? nil : "test")
                }
                let created = try await store.insertBatch(intents, notify: true)
                #expect(created.allSatisfy { $0.wasCreated })
                #expect(created.map(\.record.id) == intents.map(\.id))
                let again = try await store.insertBatch(
                    intents.map {
                        var copy = $0; copy.id = UUID(); return copy
                    }, notify: false)
                #expect(again.allSatisfy { !$0.wasCreated })
                #expect(again.map(\.record.id) == intents.map(\.id), "a repeat returns the first intents")
                let stored = try await db.client.query(
                    "SELECT count(*), count(client_ip), count(user_agent), min(email) FROM intents", logger: db.logger
                ).decode((Int, Int, Int, String).self).first { _ in true }
                #expect(stored?.0 == 3 && stored?.1 == 2 && stored?.2 == 2 && stored?.3 == "p0@example.org")

                let subscription = try await SubscriptionStore(database: db).create(
                    NewSubscription(url: "http://127.0.0.1:9/hook", eventTypes: ["*"]))
                try await db.client.query(
                    """
                    INSERT INTO events (id, type, body) SELECT 'evt_' || g, 'booking.confirmed', '{}'
                    FROM generate_series(1, 3) AS g
                    """, logger: db.logger)
                try await db.client.query(
                    """
                    INSERT INTO deliveries (event_id, subscription_id)
                    SELECT 'evt_' || g, \(subscription.id) FROM generate_series(1, 3) AS g
                    """, logger: db.logger)
                let deliveries = DeliveryStore(database: db)
                for round in 1...3 {
                    let claimed = try await deliveries.claim(
                        owner: "test", limit: 1, quotas: [subscription.id: 4], defaultQuota: 4, lease: .seconds(60))
                    let delivery = try #require(claimed.first, "round \(round)")
                    #expect(claimed.count == 1 && delivery.subscriptionID == subscription.id && delivery.attempt == 1)
                    let held = try await deliveries.record(
                        [
                            DeliveryAttemptOutcome(
                                deliveryID: delivery.id, subscriptionID: subscription.id, attempt: delivery.attempt,
                                startedAt: Date(), duration: .milliseconds(2),
                                result: .response(status: 204, retryAfter: nil), decision: .delivered,
                                address: "127.0.0.1", responseBody: "ok \"fine\"")
                        ], owner: "test")
                    #expect(held == [delivery.id])
                }
                let delivered = try await db.client.query(
                    "SELECT count(*) FROM deliveries WHERE status = 'delivered'", logger: db.logger
                ).decode(Int.self).first { _ in true }
                #expect(delivered == 3)
                // The pool's one connection holds the named statements only when they are prepared.
                let names = try await db.client.query(
                    "SELECT name FROM pg_prepared_statements WHERE name LIKE 'bookingbridge_%' ORDER BY name",
                    logger: db.logger
                ).decode(String.self).reduce(into: [String]()) { $0.append($1) }
                // (By base name: a statement failing in another test renames them all, see `Database.rows`.)
                let bases = Set(names.map { $0.split(separator: "_").dropLast().joined(separator: "_") })
                #expect(
                    bases
                        == (prepared
                            ? [
                                "bookingbridge_claim_deliveries", "bookingbridge_insert_intents",
                                "bookingbridge_record_delivery_attempts",
                            ] : []))
            }
        }
    }

    @Test("a statement the server refused to prepare is prepared again once the cause is gone")
    func failedPrepareRecovers() async throws {
        try await TestDatabase.withFreshDatabase(migrate: false, maximumConnections: 1) { setup, url in
            let db = try Database(url: url, maximumConnections: 1, logger: setup.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await db.client.run() }
                defer { group.cancelAll() }
                await db.runStarted()
                let store = IntentStore(database: db)
                func intent(_ key: String) -> NewIntent {
                    NewIntent(
                        source: "web", idempotencyKey: key, raw: RawSubmission(contentType: "x", fields: [:]),
                        request: BookingRequest(
                            slug: "a/b", startTime: Date(timeIntervalSinceNow: 86_400), durationMinutes: 30,
                            email: "a@example.org", firstName: "Ada", lastName: "-", timezone: "UTC"))
                }
                // No schema yet: the prepare fails (relation "intents" does not exist), and so does the call.
                await #expect(throws: PSQLError.self) { _ = try await store.insertBatch([intent("early")]) }
                try await Migrations().apply(on: db)
                // The pool's one connection refused the statement before; now it works, prepared again.
                for key in ["k1", "k2"] {
                    let outcome = try await store.insertBatch([intent(key)])
                    #expect(outcome.first?.wasCreated == true)
                }
                let prepared = try await db.client.query(
                    "SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'bookingbridge_insert_intents_%'",
                    logger: db.logger
                ).decode(Int.self).first { _ in true }
                #expect((prepared ?? 0) >= 1, "the statement is prepared on the connection under its new name")
            }
        }
    }
}
