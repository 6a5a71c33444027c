import BookingBridge
import Foundation
import Logging
import PostgresNIO
import Synchronization
import Testing

/// A database call whose connection dies under it must end (with an error), not wait for ever: PostgresNIO never
/// answers a query written to a connection that has just closed, and a graceful shutdown waiting for such a call
/// hung after every PostgreSQL restart (see `DatabaseCall`).
@Suite("Database calls when connections die")
struct DatabaseConnectionLossTests {
    final class Counts: Sendable {
        let started = Atomic<Int>(0)
        let ended = Atomic<Int>(0)
        let failed = Atomic<Int>(0)
    }

    @Test("every call ends while backends are terminated under it, and calls succeed again afterwards")
    func callsEndWhenTheirConnectionDies() async throws {
        try await TestDatabase.withFreshDatabase(migrate: false, maximumConnections: 4) { database, url in
            let killer = try Database(url: url, maximumConnections: 1, logger: TestDatabase.logger)
            let counts = Counts()
            let callers = 8
            let callsEach = 150
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await killer.client.run() }
                // Terminates every other backend of this database every few milliseconds for three seconds.
                let storm = Task {
                    let end = ContinuousClock.now + .seconds(3)
                    while ContinuousClock.now < end {
                        _ = try? await killer.query(
                            """
                            SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                            WHERE datname = current_database() AND pid <> pg_backend_pid()
                            """)
                        try? await Task.sleep(for: .milliseconds(Int.random(in: 5...30)))
                    }
                }
                // Unstructured on purpose: a call that never ends must not keep this test from reporting it.
                for _ in 0..<callers {
                    Task {
                        for _ in 0..<callsEach {
                            counts.started.add(1, ordering: .relaxed)
                            do {
                                try await database.query("SELECT pg_sleep(0.002)")
                            } catch {
                                counts.failed.add(1, ordering: .relaxed)
                            }
                            counts.ended.add(1, ordering: .relaxed)
                        }
                    }
                }
                await storm.value
                let deadline = ContinuousClock.now + .seconds(30)
                while counts.ended.load(ordering: .relaxed) < callers * callsEach && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(50))
                }
                let started = counts.started.load(ordering: .relaxed)
                let ended = counts.ended.load(ordering: .relaxed)
                print(
                    "connection loss: \(started) calls started, \(ended) ended, "
                        + "\(counts.failed.load(ordering: .relaxed)) with an error")
                #expect(ended == callers * callsEach, "calls still waiting: \(started - ended)")
                #expect(counts.failed.load(ordering: .relaxed) > 0, "the storm killed no call's connection")
                let rows = try await database.query("SELECT 42")
                for try await value in rows.decode(Int.self) { #expect(value == 42) }
                group.cancelAll()
            }
        }
    }

    @Test("a call with a timeout answers DatabaseUnavailable in time when no connection can be had")
    func callTimeout() async throws {
        // Nothing listens on this port: every connection attempt fails and the pool keeps retrying.
        let database = try Database(
            url: "postgres://nobody@127.0.0.1:9/none?sslmode=disable", maximumConnections: 2,
            logger: TestDatabase.logger
        ).withCallTimeout(.milliseconds(300))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.client.run() }
            let started = ContinuousClock.now
            await #expect(throws: DatabaseUnavailable.self) { try await database.query("SELECT 1") }
            let took = ContinuousClock.now - started
            #expect(took < .seconds(3), "took \(took)")
            group.cancelAll()
        }
    }
}
