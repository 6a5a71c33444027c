import BookingBridge
import Foundation
import PostgresNIO
import Testing

@Suite("Intent store")
struct IntentStoreTests {
    static func sampleRequest(email: String = "ada@lovelace.dev") -> BookingRequest {
        BookingRequest(
            slug: "jane-doe/intro-30", startTime: Date().addingTimeInterval(86400), durationMinutes: 30, email: email,
            firstName: "Ada", lastName: "Lovelace", timezone: "Europe/London")
    }

    static func newIntent(key: String = UUID().uuidString, source: String = "website") -> NewIntent {
        NewIntent(
            source: source, idempotencyKey: key,
            raw: RawSubmission(contentType: "application/json", fields: ["email": "ada@lovelace.dev"]),
            request: sampleRequest())
    }

    @Test("a repeat insert with the same (source, idempotency key) returns the first intent")
    func idempotentInsert() async throws {
        try await TestDatabase.withFreshDatabase { db in
            let store = IntentStore(database: db)
            let first = try await store.insert(Self.newIntent(key: "k1"))
            let again = try await store.insert(Self.newIntent(key: "k1"))
            let otherSource = try await store.insert(Self.newIntent(key: "k1", source: "typeform"))
            #expect(first.wasCreated)
            #expect(!again.wasCreated)
            #expect(again.record.id == first.record.id)
            #expect(otherSource.wasCreated)
            #expect(otherSource.record.id != first.record.id)
            #expect(first.record.request == Self.sampleRequest().with(startTime: first.record.request.startTime))
        }
    }

    @Test("concurrent inserts with one key create exactly one intent")
    func concurrentSameKey() async throws {
        try await TestDatabase.withFreshDatabase { db in
            let store = IntentStore(database: db)
            let ids = try await withThrowingTaskGroup(of: UUID.self) { group in
                for _ in 0..<50 { group.addTask { try await store.insert(Self.newIntent(key: "same")).record.id } }
                return try await group.reduce(into: Set<UUID>()) { $0.insert($1) }
            }
            #expect(ids.count == 1)
            let rows = try await db.client.query("SELECT count(*) FROM intents").decode(Int.self).first { _ in true }
            #expect(rows == 1)
        }
    }

    @Test("4 concurrent claimers drain 10,000 due intents, each claimed exactly once")
    func concurrentClaimers() async throws {
        try await TestDatabase.withFreshDatabase(maximumConnections: 8) { db in
            // Insert in bulk: the claim is under test here, not the insert.
            try await db.client.query(
                """
                INSERT INTO intents (id, source, idempotency_key, raw, request)
                SELECT gen_random_uuid(), 'bulk', 'k' || g, '{}'::jsonb,
                       jsonb_build_object('slug', 's', 'startTime', '2030-01-01T10:00:00.000Z', 'durationMinutes', 30,
                                          'email', 'a@b.dev', 'firstName', 'A', 'lastName', 'B', 'timezone', 'UTC',
                                          'formFields', '{}'::jsonb, 'consents', '{}'::jsonb, 'guestEmails', '[]'::jsonb)
                FROM generate_series(1, 10000) AS g
                """)
            let store = IntentStore(database: db)
            let claims = try await withThrowingTaskGroup(of: [UUID].self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        var mine: [UUID] = []
                        while true {
                            let batch = try await store.claimDue(
                                owner: "worker-\(worker)", limit: 50, lease: .seconds(300))
                            if batch.isEmpty { break }
                            mine += batch.map(\.id)
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: [[UUID]]()) { $0.append($1) }
            }
            let all = claims.flatMap { $0 }
            #expect(all.count == 10_000)
            #expect(Set(all).count == 10_000)
            #expect(claims.allSatisfy { !$0.isEmpty }, "every claimer got work")
        }
    }

    @Test("an intent whose lease expired is claimed again; the old holder can no longer change it")
    func expiredLeaseIsReclaimed() async throws {
        try await TestDatabase.withFreshDatabase { db in
            let store = IntentStore(database: db)
            let id = try await store.insert(Self.newIntent()).record.id
            let first = try await store.claimDue(owner: "a", limit: 10, lease: .seconds(3))
            #expect(first.map(\.id) == [id])
            #expect(try await store.claimDue(owner: "b", limit: 10, lease: .seconds(60)).isEmpty, "leased: not due")
            #expect(try await store.markBookingInFlight(id: id, owner: "a", lease: .seconds(3)))
            try await Task.sleep(for: .milliseconds(3500))
            let second = try await store.claimDue(owner: "b", limit: 10, lease: .seconds(60))
            #expect(second.map(\.id) == [id])
            #expect(second.first?.uncertain == true, "the new holder learns a call may have been in flight")
            #expect(second.first?.attempts == 1)
            #expect(try await store.reschedule(id: id, owner: "a", at: Date(), reason: nil) == false)
            #expect(try await store.release(id: id, owner: "b"))
        }
    }

    @Test("finish only succeeds for the lease holder and only once")
    func finishNeedsTheLease() async throws {
        try await TestDatabase.withFreshDatabase { db in
            let store = IntentStore(database: db)
            let id = try await store.insert(Self.newIntent()).record.id
            _ = try await store.claimDue(owner: "a", limit: 1, lease: .seconds(60))
            let logger = db.logger
            let wrongOwner = try await db.client.withTransaction(logger: logger) { connection in
                try await IntentStore.finish(
                    id: id, owner: "b", status: .booked, reason: nil, on: connection, logger: logger)
            }
            #expect(!wrongOwner)
            let done = try await db.client.withTransaction(logger: logger) { connection in
                try await IntentStore.finish(
                    id: id, owner: "a", status: .booked, reason: nil, on: connection, logger: logger)
            }
            #expect(done)
            let again = try await db.client.withTransaction(logger: logger) { connection in
                try await IntentStore.finish(
                    id: id, owner: "a", status: .failed, reason: nil, on: connection, logger: logger)
            }
            #expect(!again)
            #expect(try await store.find(id: id)?.status == .booked)
        }
    }
}

extension BookingRequest {
    func with(startTime: Date) -> BookingRequest {
        var copy = self
        copy.startTime = startTime
        return copy
    }
}
