import Foundation

/// What one dispatcher process may claim right now: free slots (its workers and the deliveries claimed ahead for
/// them), and per subscription the room left under the concurrency cap (claimed deliveries, so requests too) and the
/// optional rate. A part of `DispatchState`: a value, the time passed in.
struct DispatchCapacity: Sendable {
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

    /// Claimed and not yet over: requests in flight plus deliveries waiting for a worker.
    private(set) var inFlight = 0
    /// Claimed and not yet recorded: requests in flight plus answers waiting for the recorder.
    private(set) var unrecorded = 0
    private var perSubscription: [UUID: Int] = [:]
    private var buckets: [UUID: RateBucket] = [:]
    /// Whether the last claim found as much due work as it asked for (a backlog), and when it ran.
    private var lastClaimFull = false
    private var lastClaimAt: ContinuousClock.Instant?
    private var holdBackWakeUpArmed = false

    /// `workers` requests at once at most, and by default as many again claimed ahead (`claimAhead`): a worker that
    /// finishes takes the next delivery at once instead of waiting for a claim's round trip, and claims and records
    /// come in larger batches (a statement's fixed cost spread over more rows) without more requests in flight. No
    /// more than `workers` ahead: a delivery that waits in the queue longer than its lease allows for its request is
    /// given back unsent (`DispatchState.startRequested`), and so are those still queued at a graceful shutdown.
    init(workers: Int, perSubscriptionCap: Int, claimAhead: Int? = nil) {
        self.workers = max(1, workers)
        self.claimAhead = min(max(0, claimAhead ?? self.workers), self.workers)
        self.perSubscriptionCap = max(1, perSubscriptionCap)
        self.maxUnrecorded = 2 * self.workers + self.claimAhead
    }

    private var free: Int { max(0, min(slots - inFlight, maxUnrecorded - unrecorded)) }

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
    /// idle for long: a wake-up is armed for the end of the hold-back). Always waiting for a quarter would leave
    /// slots idle when few are busy.
    func claimAdvice(now: ContinuousClock.Instant) -> ClaimAdvice {
        let free = free
        guard free >= 1 else { return .nothing }
        if lastClaimFull, let last = lastClaimAt, free < max(1, slots / 4), inFlight >= slots / 2,
            now < last + Self.claimHoldBack
        {
            return .holdBack(until: last + Self.claimHoldBack)
        }
        return .claim
    }

    /// Marks the wake-up for the end of a hold-back as armed; false when one already is (one at a time is enough:
    /// a claim that follows moves the hold-back, and the loop arms a new one if it is held back again).
    mutating func armHoldBackWakeUp() -> Bool {
        if holdBackWakeUpArmed { return false }
        holdBackWakeUpArmed = true
        return true
    }

    mutating func holdBackWakeUpFired() {
        holdBackWakeUpArmed = false
    }

    /// Notes a claim that asked for `limit` deliveries and got `count`.
    mutating func claimed(_ count: Int, of limit: Int, now: ContinuousClock.Instant) {
        lastClaimFull = count >= limit
        lastClaimAt = now
    }

    /// Free slots, and the quota of each subscription that is below the default (busy or rate-limited ones).
    mutating func snapshot(now: ContinuousClock.Instant) -> (free: Int, quotas: [UUID: Int]) {
        var quotas: [UUID: Int] = [:]
        for (id, busy) in perSubscription where busy > 0 { quotas[id] = perSubscriptionCap - busy }
        for id in Array(buckets.keys) {
            buckets[id]!.refill(now: now)
            let room = Int(buckets[id]!.tokens.rounded(.down))
            quotas[id] = min(quotas[id] ?? perSubscriptionCap, room)
        }
        return (free, quotas)
    }

    /// Counts a claimed delivery as started, spending a token when its subscription has a rate.
    mutating func begin(subscriptionID: UUID, maxPerSecond: Int?, now: ContinuousClock.Instant) {
        inFlight += 1
        unrecorded += 1
        perSubscription[subscriptionID, default: 0] += 1
        if let rate = maxPerSecond {
            var bucket = buckets[subscriptionID] ?? RateBucket(rate: rate, now: now)
            bucket.rate = rate
            bucket.refill(now: now)
            bucket.tokens -= 1
            buckets[subscriptionID] = bucket
        } else {
            buckets[subscriptionID] = nil
        }
    }

    /// The delivery's request is over (answered, failed or never sent): its worker slot and its place under the
    /// subscription's cap are free.
    mutating func end(subscriptionID: UUID) {
        inFlight -= 1
        let left = (perSubscription[subscriptionID] ?? 1) - 1
        perSubscription[subscriptionID] = left > 0 ? left : nil
    }

    /// The delivery's attempt is recorded (or will not be: the lease brings it back). True when that freed a slot
    /// that answers waiting for the recorder had held (see `maxUnrecorded`).
    @discardableResult
    mutating func recorded() -> Bool {
        let before = free
        unrecorded -= 1
        return free > before
    }
}
