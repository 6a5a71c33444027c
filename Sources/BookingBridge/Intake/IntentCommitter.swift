/// Commits intents for intake.
struct IntentCommitter: Sendable {
    let store: IntentStore

    init(store: IntentStore) { self.store = store }

    func insert(_ intent: NewIntent) async throws -> IntentStore.InsertOutcome {
        try await store.insert(intent)
    }
}
