import Foundation

/// Every decision of the webhook dispatcher that needs no I/O, as one value: per-subscription capacity
/// (`maxConcurrentPerSubscription`, the workers and the deliveries claimed ahead for them, answers waiting for the
/// recorder), the claim hold-back, pacing (`maxPerSecond`) and the subscriptions this process disabled. The
/// dispatcher keeps it behind one lock, tells it each event with the time it read, and performs the action it
/// returns: claim, send now or at an instant, give back, wake the claiming loop now or at an instant.
///
/// What holds:
/// - At most `slots` deliveries are claimed and not yet over, at most `maxUnrecorded` claimed and not yet recorded,
///   and each subscription has at most its cap of them (the quotas passed to the claim).
/// - A delivery starts only within its subscription's rate, only while its lease still covers a whole request
///   (`Limits.longestWait` after its claim), and only if this process did not disable its subscription after it was
///   claimed; otherwise it is given back unsent.
/// - At most one wake-up for the end of a hold-back is armed at a time.
struct DispatchState: Sendable {
    struct Limits: Sendable, Equatable {
        var workers: Int
        var perSubscriptionCap: Int
        /// `nil`: as many as the workers (see `DispatchCapacity.init`).
        var claimAhead: Int?
        /// How long a claimed delivery may wait for a worker (or its turn under the rate) and still be sent.
        var longestWait: Duration
        /// The largest claim.
        var maxBatch: Int = DeliveryStore.maximumClaim

        init(
            workers: Int, perSubscriptionCap: Int, claimAhead: Int? = nil, longestWait: Duration,
            maxBatch: Int = DeliveryStore.maximumClaim
        ) {
            self.workers = workers
            self.perSubscriptionCap = perSubscriptionCap
            self.claimAhead = claimAhead
            self.longestWait = longestWait
            self.maxBatch = maxBatch
        }

        /// A delivery that waited so long that its lease could end during its request (workers held up by slow
        /// subscribers, a database slow to record) is given back rather than sent: another dispatcher could take it
        /// over mid-request and send it a second time. So: no longer than the lease leaves for a request and 5 s,
        /// or half the lease when it is shorter than the timeout (as in tests).
        init(settings: WebhookSettings) {
            let lease = settings.effectiveLease
            let timeout = Duration.milliseconds(Int64(settings.timeoutSeconds * 1000))
            self.init(
                workers: settings.workers, perSubscriptionCap: settings.maxConcurrentPerSubscription,
                claimAhead: settings.claimAhead, longestWait: max(lease - timeout - .seconds(5), lease / 2))
        }
    }

    /// Whether to wake the claiming loop.
    enum Wake: Equatable, Sendable {
        case none
        /// Now: a claim is worth its cost.
        case claimer
        /// At this instant, when the claim hold-back ends (the one wake-up for it; `tick` when it fires).
        case claimerAt(ContinuousClock.Instant)
    }

    /// What the claiming loop does next.
    enum ClaimStep: Equatable, Sendable {
        /// Claim at most `limit` due deliveries, at most `quotas[id]` of a listed subscription (the cap for others).
        case claim(limit: Int, quotas: [UUID: Int])
        /// Claim nothing now, and wake as told.
        case stop(Wake)
    }

    /// Why a claimed delivery goes back to the outbox unsent.
    enum GiveBackReason: Equatable, Sendable {
        /// Its lease might end during its request.
        case waitedTooLong
        /// This process disabled its subscription after it was claimed.
        case subscriptionDisabled
        /// A graceful shutdown began while it waited for its turn.
        case shuttingDown
    }

    /// What a worker does with the delivery it took.
    enum Start: Equatable, Sendable {
        case sendNow
        /// Its subscription's rate lets it start then; then `waitOver`.
        case sendAt(ContinuousClock.Instant)
        case giveBack(GiveBackReason)
    }

    let limits: Limits
    private(set) var capacity: DispatchCapacity
    private var pacer = SendPacer()
    private var disabled: DisabledSubscriptions

    init(limits: Limits) {
        self.limits = limits
        self.capacity = DispatchCapacity(
            workers: limits.workers, perSubscriptionCap: limits.perSubscriptionCap, claimAhead: limits.claimAhead)
        // Remembered longer than any delivery may wait to be sent.
        self.disabled = DisabledSubscriptions(memory: limits.longestWait * 2)
    }

    /// The claiming loop asks before each claim. One claim at a time, for whatever is free when it starts.
    mutating func nextClaim(now: ContinuousClock.Instant) -> ClaimStep {
        switch capacity.claimAdvice(now: now) {
        case .nothing:
            return .stop(.none)
        case .holdBack(let until):
            return .stop(capacity.armHoldBackWakeUp() ? .claimerAt(until) : .none)
        case .claim:
            let (free, quotas) = capacity.snapshot(now: now)
            return .claim(limit: min(free, max(1, limits.maxBatch)), quotas: quotas)
        }
    }

    /// A claim that asked for `limit` came back with `deliveries`, which now hold their slots (and a token of their
    /// subscription's rate). True when it got all it asked for: claim again at once.
    mutating func claimed(_ deliveries: [ClaimedDelivery], asked limit: Int, now: ContinuousClock.Instant) -> Bool {
        for delivery in deliveries {
            capacity.begin(subscriptionID: delivery.subscriptionID, maxPerSecond: delivery.maxPerSecond, now: now)
        }
        capacity.claimed(deliveries.count, of: limit, now: now)
        return deliveries.count >= limit
    }

    /// A worker took `item` from the queue. A start later than now is booked under the rate at once.
    mutating func startRequested(_ item: DeliveryQueue.Item, now: ContinuousClock.Instant) -> Start {
        if let reason = unsendable(item, now: now) { return .giveBack(reason) }
        guard let rate = item.delivery.maxPerSecond else { return .sendNow }
        let turn = pacer.reserve(item.delivery.subscriptionID, rate: rate, now: now)
        return turn > now ? .sendAt(turn) : .sendNow
    }

    /// The worker waited for the turn `startRequested` gave `item`: nil to send it now, or why it goes back.
    func waitOver(_ item: DeliveryQueue.Item, shuttingDown: Bool, now: ContinuousClock.Instant) -> GiveBackReason? {
        if shuttingDown { return .shuttingDown }
        return unsendable(item, now: now)
    }

    private func unsendable(_ item: DeliveryQueue.Item, now: ContinuousClock.Instant) -> GiveBackReason? {
        if now - item.claimedAt > limits.longestWait { return .waitedTooLong }
        if disabled.disabled(item.delivery.subscriptionID, after: item.claimedAt) { return .subscriptionDisabled }
        return nil
    }

    /// A delivery's request is over (answered, failed or never sent): its slot takes the next delivery while the
    /// recorder writes this one. `recording` false: nothing will be recorded (the lease brings it back), so it no
    /// longer counts as waiting for the recorder either.
    mutating func requestOver(subscriptionID: UUID, recording: Bool, now: ContinuousClock.Instant) -> Wake {
        capacity.end(subscriptionID: subscriptionID)
        if !recording { capacity.recorded() }
        return wake(now: now)
    }

    /// An attempt is recorded (or could not be: the lease brings it back).
    mutating func recorded(now: ContinuousClock.Instant) -> Wake {
        capacity.recorded() ? wake(now: now) : .none
    }

    /// This process disabled `subscriptionID` (committed): what is queued for it stays unsent.
    mutating func subscriptionDisabled(_ subscriptionID: UUID, at now: ContinuousClock.Instant) {
        disabled.record(subscriptionID, at: now)
    }

    /// Claimed deliveries of these subscriptions (one entry per delivery) went back unsent.
    mutating func gaveBack(_ subscriptionIDs: [UUID], now: ContinuousClock.Instant) -> Wake {
        for id in subscriptionIDs {
            capacity.end(subscriptionID: id)
            capacity.recorded()
        }
        return wake(now: now)
    }

    /// The wake-up armed for the end of a hold-back fired.
    mutating func tick(now: ContinuousClock.Instant) -> Wake {
        capacity.holdBackWakeUpFired()
        return .claimer
    }

    /// Wakes the loop when it would claim now, or once the claim hold-back ends when only that stops it: waking it
    /// for nothing costs a task switch, up to twice per delivery.
    private mutating func wake(now: ContinuousClock.Instant) -> Wake {
        switch capacity.claimAdvice(now: now) {
        case .claim: return .claimer
        case .holdBack(let until): return capacity.armHoldBackWakeUp() ? .claimerAt(until) : .none
        case .nothing: return .none
        }
    }
}
