import Foundation

/// A token bucket for a per-subscription rate: `rate` tokens a second, at most `rate` saved up.
struct RateBucket: Sendable, Equatable {
    var rate: Int
    var tokens: Double
    var updated: ContinuousClock.Instant

    init(rate: Int, now: ContinuousClock.Instant) {
        self.rate = rate
        self.tokens = Double(rate)
        self.updated = now
    }

    mutating func refill(now: ContinuousClock.Instant) {
        let elapsed = (now - updated).seconds
        guard elapsed > 0 else { return }
        tokens = min(Double(rate), tokens + elapsed * Double(rate))
        updated = now
    }
}

/// What one dispatcher process may start right now: free worker slots, and per subscription the room left under
/// the concurrency cap and the optional rate. Shared by the claiming loop and the delivery tasks, behind a lock (the
/// dispatcher asks it on every claim; an actor hop is not worth it here).
final class DispatchCapacity: Sendable {
    struct State: Sendable {
        var inFlight = 0
        /// Claimed and not yet recorded: requests in flight plus answers waiting for the recorder.
        var unrecorded = 0
        var perSubscription: [UUID: Int] = [:]
        var buckets: [UUID: RateBucket] = [:]
    }

    let workers: Int
    let perSubscriptionCap: Int
    /// At most this many claimed deliveries may be unrecorded at once: a worker slot is free again as soon as its
    /// request is answered (the recorder writes answers in batches meanwhile), but a slow database must not let
    /// answers pile up without bound. After a crash these are the deliveries sent again (same `webhook-id`).
    let maxUnrecorded: Int
    private let state = LockedValue(State())

    init(workers: Int, perSubscriptionCap: Int) {
        self.workers = max(1, workers)
        self.perSubscriptionCap = max(1, perSubscriptionCap)
        self.maxUnrecorded = 2 * self.workers
    }

    /// Free slots, and the quota of each subscription that is below the default (busy or rate-limited ones).
    func snapshot(now: ContinuousClock.Instant = .now) -> (free: Int, quotas: [UUID: Int]) {
        let cap = perSubscriptionCap
        return state.withLock { state in
            var quotas: [UUID: Int] = [:]
            for (id, busy) in state.perSubscription where busy > 0 { quotas[id] = cap - busy }
            for id in Array(state.buckets.keys) {
                state.buckets[id]!.refill(now: now)
                let room = Int(state.buckets[id]!.tokens.rounded(.down))
                quotas[id] = min(quotas[id] ?? cap, room)
            }
            return (max(0, min(workers - state.inFlight, maxUnrecorded - state.unrecorded)), quotas)
        }
    }

    /// Counts a claimed delivery as started, spending a token when its subscription has a rate.
    func begin(subscriptionID: UUID, maxPerSecond: Int?, now: ContinuousClock.Instant = .now) {
        state.withLock { state in
            state.inFlight += 1
            state.unrecorded += 1
            state.perSubscription[subscriptionID, default: 0] += 1
            if let rate = maxPerSecond {
                var bucket = state.buckets[subscriptionID] ?? RateBucket(rate: rate, now: now)
                bucket.rate = rate
                bucket.refill(now: now)
                bucket.tokens -= 1
                state.buckets[subscriptionID] = bucket
            } else {
                state.buckets[subscriptionID] = nil
            }
        }
    }

    /// The delivery's request is over (answered, failed or never sent): its worker slot and its place under the
    /// subscription's cap are free.
    func end(subscriptionID: UUID) {
        state.withLock { state in
            state.inFlight -= 1
            let left = (state.perSubscription[subscriptionID] ?? 1) - 1
            state.perSubscription[subscriptionID] = left > 0 ? left : nil
        }
    }

    /// The delivery's attempt is recorded (or will not be: the lease brings it back).
    func recorded() {
        state.withLock { $0.unrecorded -= 1 }
    }

    var inFlight: Int { state.withLock { $0.inFlight } }
    var unrecorded: Int { state.withLock { $0.unrecorded } }
}
