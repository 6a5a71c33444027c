import PostgresNIO

/// Commits intake's intents with group commit: requests that arrive while earlier ones are being written are
/// written together in one multi-row statement and one transaction.
///
/// No background task: the first request to find a free slot writes its own intent at once (so an idle bridge
/// answers with one round trip), and whoever waits meanwhile is either written by the next batch or promoted to
/// write it. Up to `maximumWriters` statements are in flight at a time, each with at most `maximumBatch` intents.
/// A lock rather than an actor, because every accepted submission passes here.
final class IntentCommitter: Sendable {
    let store: IntentStore
    let maximumWriters: Int
    let maximumBatch: Int

    private enum Turn: Sendable {
        case done(Result<IntentStore.InsertOutcome, any Error>)
        case write
    }

    private struct Waiter: Sendable {
        var intent: NewIntent
        var continuation: CheckedContinuation<Turn, Never>
    }

    private struct State: Sendable {
        var writers = 0
        var waiting: [Waiter] = []
        /// A NOTIFY is being sent; `notifyAgain` asks its sender for one more.
        var notifying = false
        var notifyAgain = false
    }

    private let state = LockedValue(State())

    init(store: IntentStore, maximumWriters: Int = 2, maximumBatch: Int = 64) {
        self.store = store
        self.maximumWriters = max(1, maximumWriters)
        self.maximumBatch = max(1, maximumBatch)
    }

    /// Inserts `intent` (idempotently, see `IntentStore.insert`) and returns once it is committed.
    ///
    /// A fingerprinted intent (a public form's post without a key) is written on its own: whether it is a repeat
    /// is decided under a lock on its fingerprint (`IntentStore.insertFingerprinted`), which a batch cannot take.
    func insert(_ intent: NewIntent) async throws -> IntentStore.InsertOutcome {
        if intent.fingerprint != nil {
            let outcome = try await store.insertFingerprinted(intent, window: IdempotencyKey.fingerprintWindow)
            if outcome.wasCreated && outcome.record.status != .spam { scheduleNotify() }
            return outcome
        }
        let maximumWriters = maximumWriters
        let turn = await withCheckedContinuation { (continuation: CheckedContinuation<Turn, Never>) in
            let write = state.withLock { state in
                if state.writers < maximumWriters {
                    state.writers += 1
                    return true
                }
                state.waiting.append(Waiter(intent: intent, continuation: continuation))
                return false
            }
            if write { continuation.resume(returning: .write) }
        }
        if case .done(let result) = turn { return try result.get() }
        // This task holds a writer slot: its own, or the one of the writer that promoted it.
        let maximumBatch = maximumBatch
        let others = state.withLock { state in
            let taken = Array(state.waiting.prefix(maximumBatch - 1))
            state.waiting.removeFirst(taken.count)
            return taken
        }
        let results = await write([intent] + others.map(\.intent))
        for (waiter, result) in zip(others, results.dropFirst()) {
            waiter.continuation.resume(returning: .done(result))
        }
        // The database is unreachable: whoever waits would meet the same wall after a commit timeout of its own, so
        // they are all answered now (503: try again).
        var unavailable: (any Error)?
        if case .failure(let error) = results[0], DatabaseUnavailable.describes(error) { unavailable = error }
        let (next, failed) = state.withLock { state -> (Waiter?, [Waiter]) in
            if unavailable != nil {
                defer { state.waiting = [] }
                state.writers -= 1
                return (nil, state.waiting)
            }
            if state.waiting.isEmpty {
                state.writers -= 1
                return (nil, [])
            }
            return (state.waiting.removeFirst(), [])
        }
        if let unavailable {
            for waiter in failed { waiter.continuation.resume(returning: .done(.failure(unavailable))) }
        }
        next?.continuation.resume(returning: .write)
        if results.contains(where: { (try? $0.get())?.wasCreated == true && (try? $0.get())?.record.status != .spam }) {
            scheduleNotify()
        }
        return try results[0].get()
    }

    /// Sends NOTIFY after commits (see `IntentStore.notifyWorkers`) in the background, so no submitter waits for
    /// it: at most one at a time, and commits that happen while one is on its way get one more after it, at least
    /// `notifySpacing` later. It only wakes other processes early (this process's workers are woken directly and
    /// every process also polls), so a failure is nobody's error.
    private func scheduleNotify() {
        let send = state.withLock { state in
            if state.notifying {
                state.notifyAgain = true
                return false
            }
            state.notifying = true
            return true
        }
        guard send else { return }
        Task { await self.notifyLoop() }
    }

    /// A NOTIFY is a transaction that waits for its own WAL flush while holding PostgreSQL's database-wide notify
    /// lock; under steady load one every few milliseconds wakes other processes just as well.
    static let notifySpacing: Duration = .milliseconds(5)

    private func notifyLoop() async {
        while true {
            try? await store.notifyWorkers()
            let again = state.withLock { state in
                if state.notifyAgain {
                    state.notifyAgain = false
                    return true
                }
                state.notifying = false
                return false
            }
            if !again { return }
            try? await Task.sleep(for: Self.notifySpacing)
        }
    }

    /// One statement for the batch; if the server refuses it (rather than the connection failing), each intent is
    /// tried on its own so that one bad row cannot fail the others.
    private func write(_ intents: [NewIntent]) async -> [Result<IntentStore.InsertOutcome, any Error>] {
        do {
            return try await store.insertBatch(intents, notify: false).map { .success($0) }
        } catch {
            guard intents.count > 1, (error as? PSQLError)?.serverInfo != nil else {
                return intents.map { _ in .failure(error) }
            }
            var results: [Result<IntentStore.InsertOutcome, any Error>] = []
            for intent in intents {
                do {
                    results.append(.success(try await store.insertBatch([intent], notify: false)[0]))
                } catch {
                    results.append(.failure(error))
                }
            }
            return results
        }
    }
}
