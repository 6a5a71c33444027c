import PostgresNIO

/// Sends NOTIFY after commits (see `IntentStore.notifyWorkers`) in the background, so no submitter waits for it: at
/// most one at a time, and commits that happen while one is on its way get one more after it, at least `spacing`
/// later. It only wakes other processes early (this process's workers are woken directly and every process also
/// polls), so a failure is nobody's error.
final class WorkerNotifier: Sendable {
    private struct State: Sendable {
        var notifying = false
        var again = false
    }

    private let store: IntentStore
    private let state = LockedValue(State())

    init(store: IntentStore) { self.store = store }

    /// A NOTIFY is a transaction that waits for its own WAL flush while holding PostgreSQL's database-wide notify
    /// lock; under steady load one every few milliseconds wakes other processes just as well.
    static let spacing: Duration = .milliseconds(5)

    func schedule() {
        let send = state.withLock { state in
            if state.notifying {
                state.again = true
                return false
            }
            state.notifying = true
            return true
        }
        guard send else { return }
        Task { await self.loop() }
    }

    private func loop() async {
        while true {
            try? await store.notifyWorkers()
            let again = state.withLock { state in
                if state.again {
                    state.again = false
                    return true
                }
                state.notifying = false
                return false
            }
            if !again { return }
            try? await Task.sleep(for: Self.spacing)
        }
    }
}
