import Foundation
import Logging

/// Writes finished attempts in batches: whatever finished while the previous write was in flight goes in the next
/// statement (like group commit), so recording costs one round trip per batch, not per delivery. Each caller waits
/// until its own outcome is written. Runs as a child task of the dispatcher.
final class DeliveryRecorder: Sendable {
    private struct Waiting: Sendable {
        var outcome: DeliveryAttemptOutcome
        var continuation: CheckedContinuation<Bool, any Error>
    }

    private struct State: Sendable {
        var waiting: [Waiting] = []
        var closed = false
    }

    private let store: DeliveryStore
    private let owner: String
    private let maxBatch: Int
    private let state = LockedValue(State())
    private let signals: AsyncStream<Void>
    private let signal: AsyncStream<Void>.Continuation

    struct Closed: Error, CustomStringConvertible {
        var description: String { "the dispatcher stopped before the attempt was recorded" }
    }

    init(store: DeliveryStore, owner: String, maxBatch: Int = 256) {
        self.store = store
        self.owner = owner
        self.maxBatch = maxBatch
        (signals, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues `outcome` and returns once it is written: true when this dispatcher still held the delivery.
    func record(_ outcome: DeliveryAttemptOutcome) async throws -> Bool {
        try await withCheckedThrowingContinuation { continuation in
            let accepted = state.withLock { state -> Bool in
                guard !state.closed else { return false }
                state.waiting.append(Waiting(outcome: outcome, continuation: continuation))
                return true
            }
            if accepted { signal.yield() } else { continuation.resume(throwing: Closed()) }
        }
    }

    /// Writes batches until cancelled; then fails whatever still waits.
    func run(logger: Logger) async {
        for await _ in signals {
            while true {
                let batch = state.withLock { state -> [Waiting] in
                    let taken = Array(state.waiting.prefix(maxBatch))
                    state.waiting.removeFirst(taken.count)
                    return taken
                }
                guard !batch.isEmpty else { break }
                do {
                    let held = try await store.record(batch.map(\.outcome), owner: owner)
                    for item in batch { item.continuation.resume(returning: held.contains(item.outcome.deliveryID)) }
                } catch {
                    for item in batch { item.continuation.resume(throwing: error) }
                }
            }
        }
        let left = state.withLock { state -> [Waiting] in
            state.closed = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for item in left { item.continuation.resume(throwing: Closed()) }
    }
}
