import Foundation

/// Subscriptions this dispatcher disabled (a `410 Gone`, or failing for too long), and when. A part of
/// `DispatchState`: a value, the time passed in.
///
/// Deliveries of a subscription can be claimed ahead and wait for a worker; once the subscriber has said it is gone,
/// those that were claimed before the disable are given back unsent instead of being posted to it one after the
/// other (each earning another 410). A delivery claimed after the disable was claimed while the subscription was
/// enabled again (claims only take enabled subscriptions), so it is sent.
///
/// Only this process's disables are known here: deliveries queued in another process when it learns of a disable
/// are still sent by that process.
struct DisabledSubscriptions: Sendable {
    /// How long a disable is remembered: longer than any delivery waits in the queue (the lease).
    let memory: Duration
    private var disabledAt: [UUID: ContinuousClock.Instant] = [:]

    init(memory: Duration) {
        self.memory = memory
    }

    /// `subscriptionID` is disabled in the database as of `instant` (committed before this is called).
    mutating func record(_ subscriptionID: UUID, at instant: ContinuousClock.Instant) {
        let memory = memory
        disabledAt = disabledAt.filter { instant - $0.value < memory }
        disabledAt[subscriptionID] = instant
    }

    /// True when this dispatcher disabled `subscriptionID` after `claimedAt`: a delivery claimed then must not be sent.
    func disabled(_ subscriptionID: UUID, after claimedAt: ContinuousClock.Instant) -> Bool {
        guard let instant = disabledAt[subscriptionID] else { return false }
        return instant >= claimedAt
    }
}
