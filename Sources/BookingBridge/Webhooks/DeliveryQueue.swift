import Foundation

/// Claimed deliveries on their way from the dispatcher's claiming loop to its workers: long-lived tasks, one per
/// worker slot, that each take the next delivery when they are free.
///
/// Workers, not a task per delivery: a new task starts with a small allocation of its own for its async frames, and
/// a delivery's frames (the sender, AsyncHTTPClient's `execute`) outgrow it, so every delivery took three allocations
/// of 2-4 KiB from the C allocator, too large for its per-thread caches (perf, `bench webhooks`: ~25 us of CPU per
/// delivery in malloc and free, against ~7 us per request in the plain loop, whose tasks live for the whole run).
/// A worker task keeps its frames' memory from one delivery to the next.
final class DeliveryQueue: Sendable {
    private struct Waiter: Sendable {
        var id: UInt64
        var continuation: CheckedContinuation<ClaimedDelivery?, Never>
    }

    private struct State: Sendable {
        var items: [ClaimedDelivery] = []
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
        var finished = false
    }

    private let state = LockedValue(State())

    /// Hands `delivery` to a waiting worker, or queues it for the next one free.
    func push(_ delivery: ClaimedDelivery) {
        let waiter = state.withLock { state -> Waiter? in
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.items.append(delivery)
            return nil
        }
        waiter?.continuation.resume(returning: delivery)
    }

    /// No more deliveries will come: workers take what is queued, then `next` returns nil.
    func finish() {
        let waiters = state.withLock { state -> [Waiter] in
            state.finished = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.continuation.resume(returning: nil) }
    }

    /// The next delivery, waiting for one if none is queued; nil once the queue is finished and empty, or when the
    /// calling task is cancelled.
    func next() async -> ClaimedDelivery? {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<ClaimedDelivery?, Never>) in
                enum Now { case value(ClaimedDelivery?), wait }
                let now = state.withLock { state -> Now in
                    if !state.items.isEmpty { return .value(state.items.removeFirst()) }
                    if state.finished || Task.isCancelled { return .value(nil) }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return .wait
                }
                if case .value(let delivery) = now { continuation.resume(returning: delivery) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            waiter?.continuation.resume(returning: nil)
        }
    }

    /// Deliveries queued and not yet taken by a worker.
    var queued: Int { state.withLock { $0.items.count } }
}
