import Foundation

/// Writes finished attempts with group commit (`GroupCommit`): whatever finished while the previous write was in
/// flight goes in the next statement, so recording costs one round trip per batch, not per delivery. A delivery
/// does not wait for its record: its `done` runs on the task that wrote the batch, so the worker that sent it is
/// free for the next request at once. One write at a time, of at most `maxBatch` attempts.
final class DeliveryRecorder: Sendable {
    private let group: GroupCommit<DeliveryAttemptOutcome, Result<Bool, any Error>>

    struct Closed: Error, CustomStringConvertible {
        var description: String { "the dispatcher stopped before the attempt was recorded" }
    }

    init(store: DeliveryStore, owner: String, maxBatch: Int = 256) {
        group = GroupCommit(maximumWriters: 1, maximumBatch: maxBatch) { outcomes in
            do {
                let held = try await store.record(outcomes, owner: owner)
                return outcomes.map { .success(held.contains($0.deliveryID)) }
            } catch {
                return outcomes.map { _ in .failure(error) }
            }
        }
    }

    /// Queues `outcome`; `done` is called once, with true when it is written and this dispatcher still held the
    /// delivery, false when it is written but another dispatcher holds the delivery now, or the error (`Closed`
    /// after `finish`: the lease brings the delivery back).
    func submit(_ outcome: DeliveryAttemptOutcome, done: @escaping @Sendable (Result<Bool, any Error>) -> Void) {
        if !group.submit(outcome, done: done) { done(.failure(Closed())) }
    }

    /// Accepts nothing more, and returns once what was queued is written (graceful shutdown: every answered request
    /// gets its record).
    func finish() async {
        await group.finish()
    }
}
