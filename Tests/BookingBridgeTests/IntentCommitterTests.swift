import Foundation
import PostgresNIO
import Testing

@testable import BookingBridge

/// Intake's group commit wakes the workers of other bridge processes with NOTIFY after each commit. The NOTIFY is
/// sent in the background (a submitter never waits for it), so this checks that it still goes out.
@Suite("Intent committer")
struct IntentCommitterTests {
    @Test("a committed intent is followed by a NOTIFY on the workers' channel")
    func notifiesAfterCommit() async throws {
        try await TestDatabase.withFreshDatabase(maximumConnections: 4) { db in
            let committer = IntentCommitter(store: IntentStore(database: db))
            let payload = try await db.client.withConnection { listener in
                try await listener.listen(on: IntentStore.notifyChannel) { notifications -> String? in
                    let insert = Task {
                        let outcome = try await committer.insert(IntentStoreTests.newIntent())
                        #expect(outcome.wasCreated)
                    }
                    // Bounds the wait: if the committer sends nothing, this marked notification ends it.
                    let watchdog = Task {
                        try await Task.sleep(for: .seconds(10))
                        try await db.client.query(
                            "SELECT pg_notify(\(IntentStore.notifyChannel), 'no NOTIFY within 10 s')",
                            logger: db.logger)
                    }
                    defer { watchdog.cancel() }
                    for try await notification in notifications {
                        try await insert.value
                        return notification.payload
                    }
                    return nil
                }
            }
            #expect(payload == "", "the committer's own NOTIFY arrives (empty payload)")
        }
    }
}
