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

/// What one dispatcher process may claim right now: free slots (its workers and the deliveries claimed ahead for
/// them), and per subscription the room left under the concurrency cap (claimed deliveries, so requests too) and the
/// optional rate. Shared by the claiming loop and the delivery tasks, behind a lock (the
/// dispatcher asks it on every claim; an actor hop is not worth it here).
final class DispatchCapacity: Sendable {
    struct State: Sendable {
        var inFlight = 0
        /// Claimed and not yet recorded: requests in flight plus answers waiting for the recorder.
        var unrecorded = 0
        var perSubscription: [UUID: Int] = [:]
        var buckets: [UUID: RateBucket] = [:]
        /// Whether the last claim found as much due work as it asked for (a backlog), and when it ran.
        var lastClaimFull = false
        var lastClaimAt = ContinuousClock.now
        var holdBackWakeUpArmed = false
    }

    /// How long a claim may be held back to gather free slots (see `claimAdvice`).
    static let claimHoldBack: Duration = .milliseconds(50)

    let workers: Int
    /// Deliveries claimed beyond the workers, waiting for the next one free (see `init`).
    let claimAhead: Int
    /// Deliveries claimed and not yet answered at most: the workers' and those waiting for them.
    var slots: Int { workers + claimAhead }
    let perSubscriptionCap: Int
    /// At most this many claimed deliveries may be unrecorded at once (twice the workers, and those claimed ahead):
    /// a slot is free again as soon as its request is answered (the recorder writes answers in batches meanwhile),
    /// but a slow database must not let answers pile up without bound. After a crash the answered ones among these
    /// are the deliveries sent again (same `webhook-id`).
    let maxUnrecorded: Int
    private let state = LockedValue(State())

    /// `workers` requests at once at most, and by default as many again claimed ahead (`claimAhead`): a worker that
    /// finishes takes the next delivery at once instead of waiting for a claim's round trip, and claims and records
    /// come in larger batches (a statement's fixed cost spread over more rows) without more requests in flight.
    /// `bookingbridge bench webhooks` (32 workers, back to back): 0.44/0.48/0.41 of the plain loop without, 0.59/0.61/0.57
    /// with (half as many ahead: 0.49/0.52/0.54), a third fewer statements. No more than `workers` ahead. A delivery
    /// that waits in the queue longer than its lease allows for its request is given back unsent (the dispatcher's
    /// workers check), and so are those still queued at a graceful shutdown.
    init(workers: Int, perSubscriptionCap: Int, claimAhead: Int? = nil) {
        self.workers = max(1, workers)
        self.claimAhead = min(max(0, claimAhead ?? self.workers), self.workers)
        self.perSubscriptionCap = max(1, perSubscriptionCap)
        self.maxUnrecorded = 2 * self.workers + self.claimAhead
    }

    private static func free(_ state: State, workers: Int, maxUnrecorded: Int) -> Int {
        max(0, min(workers - state.inFlight, maxUnrecorded - state.unrecorded))
    }

    /// What the claiming loop should do now.
    enum ClaimAdvice: Equatable {
        /// Claim.
        case claim
        /// There are free slots, but the claim is held back until then (see `claimAdvice`).
        case holdBack(until: ContinuousClock.Instant)
        /// No free slot.
        case nothing
    }

    /// Whether a claim now is worth its cost, and if it is held back, until when. A claim costs the database a
    /// fraction of a millisecond whatever its size (and passes over the rows in flight each time), so while there is
    /// a backlog (the last claim came back full) and at least half the workers are busy, the next one waits until a
    /// quarter are free, for at most `claimHoldBack` after the last claim (slow subscribers must not keep free slots
    /// idle for long: the dispatcher arms a wake-up for the end of the hold-back). +14 % deliveries/s against a fast receiver. (Always waiting for a quarter left slots idle when
    /// few were busy: about 15 % fewer deliveries/s.) The dispatcher's loop asks before each claim, and a finished
    /// delivery asks before waking the loop, so it is not woken for nothing.
    func claimAdvice(now: ContinuousClock.Instant = .now) -> ClaimAdvice {
        let workers = slots
        let maxUnrecorded = maxUnrecorded
        return state.withLock { state in
            let free = Self.free(state, workers: workers, maxUnrecorded: maxUnrecorded)
            guard free >= 1 else { return .nothing }
            let until = state.lastClaimAt + Self.claimHoldBack
            if state.lastClaimFull && free < max(1, workers / 4) && state.inFlight >= workers / 2 && now < until {
                return .holdBack(until: until)
            }
            return .claim
        }
    }

    /// Marks the wake-up for the end of a hold-back as armed; false when one already is (one at a time is enough:
    /// a claim that follows moves the hold-back, and the loop arms a new one if it is held back again).
    func armHoldBackWakeUp() -> Bool {
        state.withLock { state in
            if state.holdBackWakeUpArmed { return false }
            state.holdBackWakeUpArmed = true
            return true
        }
    }

    func holdBackWakeUpFired() {
        state.withLock { $0.holdBackWakeUpArmed = false }
    }

    /// Notes a claim that asked for `limit` deliveries and got `count`.
    func claimed(_ count: Int, of limit: Int, now: ContinuousClock.Instant = .now) {
        state.withLock { state in
            state.lastClaimFull = count >= limit
            state.lastClaimAt = now
        }
    }

    /// Free slots, and the quota of each subscription that is below the default (busy or rate-limited ones).
    func snapshot(now: ContinuousClock.Instant = .now) -> (free: Int, quotas: [UUID: Int]) {
        let cap = perSubscriptionCap
        let workers = slots
        let maxUnrecorded = maxUnrecorded
        return state.withLock { state in
            var quotas: [UUID: Int] = [:]
            for (id, busy) in state.perSubscription where busy > 0 { quotas[id] = cap - busy }
            for id in Array(state.buckets.keys) {
                state.buckets[id]!.refill(now: now)
                let room = Int(state.buckets[id]!.tokens.rounded(.down))
                quotas[id] = min(quotas[id] ?? cap, room)
            }
            return (Self.free(state, workers: workers, maxUnrecorded: maxUnrecorded), quotas)
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

    /// The delivery's attempt is recorded (or will not be: the lease brings it back). True when that freed a slot
    /// that answers waiting for the recorder had held (see `maxUnrecorded`).
    @discardableResult
    func recorded() -> Bool {
        let workers = slots
        let maxUnrecorded = maxUnrecorded
        return state.withLock { state in
            let before = Self.free(state, workers: workers, maxUnrecorded: maxUnrecorded)
            state.unrecorded -= 1
            return Self.free(state, workers: workers, maxUnrecorded: maxUnrecorded) > before
        }
    }

    var inFlight: Int { state.withLock { $0.inFlight } }
    var unrecorded: Int { state.withLock { $0.unrecorded } }
}
