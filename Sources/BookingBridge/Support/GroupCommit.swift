/// Group commit, the one way it is done here (intake's intents, the dispatcher's attempt records): items that arrive
/// while earlier ones are being written are written together, in one call of `write` (one statement, one round
/// trip), so the cost per item falls as load rises and an idle system still writes each item at once.
///
/// There is no background task. At most `maximumWriters` writes are in flight; an item that finds a writer slot free
/// takes it and is written at once, in a batch with whatever waits (at most `maximumBatch` items). Two ways in:
/// - `commit(_:)` waits for its item's outcome. Whoever waits is answered by the batch that wrote its item, or is
///   handed the writer slot when a batch ends and writes the next batch itself, so a caller never writes for others
///   after its own item is written (its answer is not held up).
/// - `submit(_:done:)` does not wait: `done` is called with the outcome on the task that wrote it (a task of this
///   type's own when the item found a writer slot free, which then writes until nothing waits).
///
/// What holds: every item accepted is written exactly once and answered exactly once; a writer slot is held only by
/// a task that is writing or about to; after `finish()`, nothing more is accepted, and it returns once everything
/// accepted is answered.
final class GroupCommit<Item: Sendable, Outcome: Sendable>: Sendable {
    typealias Write = @Sendable ([Item]) async -> [Outcome]

    let maximumWriters: Int
    let maximumBatch: Int
    private let write: Write
    /// Whether an outcome ends every waiting item with that same outcome (the database is unreachable: each would
    /// meet the same wall after a timeout of its own).
    private let answersEveryWaiting: @Sendable (Outcome) -> Bool

    private enum Turn: Sendable {
        case done(Outcome)
        case write
        /// `finish()` was called before the item came.
        case refused
    }

    private enum Reply: Sendable {
        case caller(CheckedContinuation<Turn, Never>)
        case callback(@Sendable (Outcome) -> Void)

        func answer(_ outcome: Outcome) {
            switch self {
            case .caller(let continuation): continuation.resume(returning: .done(outcome))
            case .callback(let done): done(outcome)
            }
        }
    }

    private struct Entry: Sendable {
        var item: Item
        var reply: Reply
    }

    private struct State: Sendable {
        var writers = 0
        var waiting: [Entry] = []
        var finished = false
        /// `finish()` callers waiting for the last writer.
        var drained: [CheckedContinuation<Void, Never>] = []

        /// Up to `limit` waiting entries, oldest first.
        mutating func take(_ limit: Int) -> [Entry] {
            let taken = Array(waiting.prefix(limit))
            waiting.removeFirst(taken.count)
            return taken
        }

        /// A writer gives its slot back; the `finish()` callers to resume when it was the last.
        mutating func release() -> [CheckedContinuation<Void, Never>] {
            writers -= 1
            guard writers == 0, waiting.isEmpty else { return [] }
            defer { drained = [] }
            return drained
        }
    }

    private let state: LockedValue<State>

    init(
        maximumWriters: Int, maximumBatch: Int,
        answersEveryWaiting: @escaping @Sendable (Outcome) -> Bool = { _ in false }, write: @escaping Write
    ) {
        self.maximumWriters = max(1, maximumWriters)
        self.maximumBatch = max(1, maximumBatch)
        self.answersEveryWaiting = answersEveryWaiting
        self.write = write
        self.state = LockedValue(State())
    }

    /// Writes `item` (alone or with others) and returns its outcome; nil once `finish()` was called.
    func commit(_ item: Item) async -> Outcome? {
        let maximumWriters = maximumWriters
        let turn = await withCheckedContinuation { (continuation: CheckedContinuation<Turn, Never>) in
            let turn = state.withLock { state -> Turn? in
                if state.finished { return .refused }
                if state.writers < maximumWriters {
                    state.writers += 1
                    return .write
                }
                state.waiting.append(Entry(item: item, reply: .caller(continuation)))
                return nil
            }
            if let turn { continuation.resume(returning: turn) }
        }
        switch turn {
        case .refused: return nil
        case .done(let outcome): return outcome
        case .write: break
        }
        // This task holds a writer slot: its own, or the one of the writer that handed it over.
        let others = state.withLock { $0.take(maximumBatch - 1) }
        let outcomes = await write([item] + others.map(\.item))
        for (entry, outcome) in zip(others, outcomes.dropFirst()) { entry.reply.answer(outcome) }
        handOff(after: outcomes[0])
        return outcomes[0]
    }

    /// Queues `item` without waiting; `done` gets its outcome once it is written. False (and `done` is not called)
    /// once `finish()` was called.
    @discardableResult
    func submit(_ item: Item, done: @escaping @Sendable (Outcome) -> Void) -> Bool {
        let maximumWriters = maximumWriters
        let write = state.withLock { state -> Bool? in
            if state.finished { return nil }
            state.waiting.append(Entry(item: item, reply: .callback(done)))
            guard state.writers < maximumWriters else { return false }
            state.writers += 1
            return true
        }
        if write == true { Task { await self.writeWhileWaiting() } }
        return write != nil
    }

    /// Items waiting for a writer now (for tests).
    var waitingCount: Int { state.withLock { $0.waiting.count } }

    /// Accepts nothing more, and returns once every item accepted so far is written and answered.
    func finish() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state -> Bool in
                state.finished = true
                if state.writers == 0 && state.waiting.isEmpty { return true }
                state.drained.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// A `commit` caller's batch is written: the slot goes to the next waiting caller (who writes the next batch),
    /// or to a task of its own when a `submit`'s item is next, or back.
    private func handOff(after outcome: Outcome) {
        let answersAll = answersEveryWaiting(outcome)
        let (next, failed, drained) = state.withLock { state -> (Entry?, [Entry], [CheckedContinuation<Void, Never>]) in
            if answersAll {
                let failed = state.take(state.waiting.count)
                return (nil, failed, state.release())
            }
            guard let first = state.waiting.first else { return (nil, [], state.release()) }
            if case .caller = first.reply { state.waiting.removeFirst() }
            return (first, [], [])
        }
        for entry in failed { entry.reply.answer(outcome) }
        for continuation in drained { continuation.resume() }
        switch next?.reply {
        case .caller(let continuation)?: continuation.resume(returning: .write)
        case .callback?: Task { await self.writeWhileWaiting() }
        case nil: break
        }
    }

    /// The writer of `submit`'s items (holding a slot): writes batches until nothing waits, then gives the slot
    /// back. A waiting `commit` caller met on the way is written and answered like any other item.
    private func writeWhileWaiting() async {
        let maximumBatch = maximumBatch
        // Let the items that arrive with this one's (the other workers' answers of the same moment) join its batch.
        await Task.yield()
        while true {
            let (batch, drained) = state.withLock { state -> ([Entry], [CheckedContinuation<Void, Never>]) in
                let batch = state.take(maximumBatch)
                return (batch, batch.isEmpty ? state.release() : [])
            }
            guard !batch.isEmpty else {
                for continuation in drained { continuation.resume() }
                return
            }
            let outcomes = await write(batch.map(\.item))
            for (entry, outcome) in zip(batch, outcomes) { entry.reply.answer(outcome) }
        }
    }
}
