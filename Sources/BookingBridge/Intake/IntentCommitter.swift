import PostgresNIO

/// Commits intake's intents with group commit (`GroupCommit`): requests that arrive while earlier ones are being
/// written are written together in one multi-row statement and one transaction. The first request to find a writer
/// slot free writes its own intent at once, so an idle bridge answers with one round trip. Up to `maximumWriters`
/// statements are in flight at a time, each with at most `maximumBatch` intents.
final class IntentCommitter: Sendable {
    let store: IntentStore
    private let group: GroupCommit<NewIntent, Result<IntentStore.InsertOutcome, any Error>>
    private let notifier: WorkerNotifier

    init(store: IntentStore, maximumWriters: Int = 2, maximumBatch: Int = 64) {
        self.store = store
        let notifier = WorkerNotifier(store: store)
        self.notifier = notifier
        self.group = GroupCommit(
            maximumWriters: maximumWriters, maximumBatch: maximumBatch,
            // The database is unreachable: whoever waits would meet the same wall after a commit timeout of its
            // own, so they are all answered now (503: try again).
            answersEveryWaiting: { result in
                if case .failure(let error) = result { DatabaseUnavailable.describes(error) } else { false }
            },
            write: { intents in
                let results = await Self.write(intents, to: store)
                if results.contains(where: { Self.wakesWorkers($0) }) { notifier.schedule() }
                return results
            })
    }

    /// Inserts `intent` (idempotently, see `IntentStore.insert`) and returns once it is committed.
    ///
    /// A fingerprinted intent (a public form's post without a key) is written on its own: whether it is a repeat
    /// is decided under a lock on its fingerprint (`IntentStore.insertFingerprinted`), which a batch cannot take.
    func insert(_ intent: NewIntent) async throws -> IntentStore.InsertOutcome {
        if intent.fingerprint != nil {
            let outcome = try await store.insertFingerprinted(intent, window: IdempotencyKey.fingerprintWindow)
            if outcome.wasCreated && outcome.record.status != .spam { notifier.schedule() }
            return outcome
        }
        // (The committer is never finished: it lives as long as the process.)
        guard let result = await group.commit(intent) else { throw CancellationError() }
        return try result.get()
    }

    /// A new intent the workers should hear of.
    private static func wakesWorkers(_ result: Result<IntentStore.InsertOutcome, any Error>) -> Bool {
        guard case .success(let outcome) = result else { return false }
        return outcome.wasCreated && outcome.record.status != .spam
    }

    /// One statement for the batch; if the server refuses it (rather than the connection failing), each intent is
    /// tried on its own so that one bad row cannot fail the others.
    private static func write(
        _ intents: [NewIntent], to store: IntentStore
    ) async -> [Result<IntentStore.InsertOutcome, any Error>] {
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
