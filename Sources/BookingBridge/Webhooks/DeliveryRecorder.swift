import Foundation
import Logging

/// Writes finished attempts in batches: whatever finished while the previous write was in flight goes in the next
/// statement (like group commit), so recording costs one round trip per batch, not per delivery. Each outcome's
/// `done` runs on the recorder's task once its batch is written (or could not be), so a delivery need not wait for
/// its record in a task of its own. Runs as a child task of the dispatcher.
final class DeliveryRecorder: Sendable {
    private struct Waiting: Sendable {
        var outcome: DeliveryAttemptOutcome
        var done: @Sendable (Result<Bool, any Error>) -> Void
    }

    private struct State: Sendable {
        var waiting: [Waiting] = []
        var closed = false
    }

    private let store: DeliveryStore
    private let owner: String
    private let maxBatch: Int
    private let state = LockedValue(State())
    private let wakeSignal = WakeSignal()

    struct Closed: Error, CustomStringConvertible {
        var description: String { "the dispatcher stopped before the attempt was recorded" }
    }

    init(store: DeliveryStore, owner: String, maxBatch: Int = 256) {
        self.store = store
        self.owner = owner
        self.maxBatch = maxBatch
    }

    /// Queues `outcome`; `done` is called once, with true when it is written and this dispatcher still held the
    /// delivery, false when it is written but another dispatcher holds the delivery now, or the error.
    func submit(_ outcome: DeliveryAttemptOutcome, done: @escaping @Sendable (Result<Bool, any Error>) -> Void) {
        let accepted = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.waiting.append(Waiting(outcome: outcome, done: done))
            return true
        }
        if accepted { wakeSignal.signal() } else { done(.failure(Closed())) }
    }

    /// Ends `run` once what is queued is written (graceful shutdown: every answered request gets its record).
    func finish() {
        wakeSignal.finish()
    }

    /// Writes batches until `finish` (after writing what is queued) or until cancelled (then fails whatever still
    /// waits: the leases bring those deliveries back).
    func run(logger: Logger) async {
        while !Task.isCancelled, await wakeSignal.wait(timeout: nil) {
            await writeQueued()
        }
        // Finished: what was queued before the end is written too.
        if !Task.isCancelled { await writeQueued() }
        let left = state.withLock { state -> [Waiting] in
            state.closed = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for item in left { item.done(.failure(Closed())) }
    }

    /// Writes what is queued, a batch at a time, until nothing is left.
    private func writeQueued() async {
        while true {
            let batch = state.withLock { state -> [Waiting] in
                let taken = Array(state.waiting.prefix(maxBatch))
                state.waiting.removeFirst(taken.count)
                return taken
            }
            guard !batch.isEmpty else { return }
            do {
                let held = try await store.record(batch.map(\.outcome), owner: owner)
                for item in batch { item.done(.success(held.contains(item.outcome.deliveryID))) }
            } catch {
                for item in batch { item.done(.failure(error)) }
            }
        }
    }
}
