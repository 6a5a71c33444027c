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
    /// A claimed delivery and when it was claimed (its lease runs from then).
    struct Item: Sendable {
        var delivery: ClaimedDelivery
        var claimedAt: ContinuousClock.Instant
    }

    private struct Waiter: Sendable {
        var id: UInt64
        var continuation: CheckedContinuation<Item?, Never>
    }

    private struct State: Sendable {
        var items: [Item] = []
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
        var finished = false
    }

    private let state = LockedValue(State())

    /// Hands `delivery` to a waiting worker, or queues it for the next one free.
    func push(_ delivery: ClaimedDelivery, claimedAt: ContinuousClock.Instant = .now) {
        let item = Item(delivery: delivery, claimedAt: claimedAt)
        let waiter = state.withLock { state -> Waiter? in
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.items.append(item)
            return nil
        }
        waiter?.continuation.resume(returning: item)
    }

    /// No more deliveries will come, and none queued will be taken: `next` returns nil from now on. Returns the
    /// deliveries that were still queued (claimed, not started) for the caller to give back.
    func finish() -> [Item] {
        let (waiters, left) = state.withLock { state -> ([Waiter], [Item]) in
            state.finished = true
            defer {
                state.waiters = []
                state.items = []
            }
            return (state.waiters, state.items)
        }
        for waiter in waiters { waiter.continuation.resume(returning: nil) }
        return left
    }

    /// True once `finish` was called.
    var isFinished: Bool { state.withLock { $0.finished } }

    /// The next delivery, waiting for one if none is queued; nil once the queue is finished, or when the calling
    /// task is cancelled (then it takes nothing).
    func next() async -> Item? {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Item?, Never>) in
                enum Now { case value(Item?), wait }
                let now = state.withLock { state -> Now in
                    if state.finished || Task.isCancelled { return .value(nil) }
                    if !state.items.isEmpty { return .value(state.items.removeFirst()) }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return .wait
                }
                if case .value(let item) = now { continuation.resume(returning: item) }
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
