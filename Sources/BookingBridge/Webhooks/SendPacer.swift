import Foundation

/// Spaces the requests to each subscription with a rate (`maxPerSecond`) as they start: `rate` a second, at most
/// `rate` at once (the token bucket `DispatchCapacity` applies to claims, applied again when requests leave). A part
/// of `DispatchState`: a value, the time passed in.
///
/// The claim alone is not enough: a delivery claimed ahead may wait for a worker, so deliveries claimed a second
/// apart could leave together, and the first claim for a subscription takes up to its cap at once. A worker whose
/// delivery would start too early waits for its turn; at most the cap's deliveries of one subscription are claimed
/// at a time, so the wait is short (4 at 1 a second: 3 s for the last). A delivery whose wait ran past what its lease
/// allows is given back rather than sent late (`DispatchState.waitOver`).
///
/// The bucket is kept as the instant its next request may start when it is empty (the generic cell rate
/// algorithm): one instant per subscription, and a request that has to wait books its turn at once.
struct SendPacer: Sendable {
    private var nextTurn: [UUID: ContinuousClock.Instant] = [:]

    /// Books a request to `subscriptionID` and returns when it may start: `now`, or later when the subscription's
    /// recent requests used up its rate.
    mutating func reserve(_ subscriptionID: UUID, rate: Int, now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        let rate = max(rate, 1)
        let interval = Duration.seconds(1) / rate
        let burst = interval * (rate - 1)
        if nextTurn.count > 1024 { nextTurn = nextTurn.filter { $0.value > now } }
        let turn = max(nextTurn[subscriptionID] ?? now, now)
        nextTurn[subscriptionID] = turn + interval
        return max(turn - burst, now)
    }
}
