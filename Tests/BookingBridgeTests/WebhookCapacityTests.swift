import Foundation
import Testing

@testable import BookingBridge

/// The dispatcher's in-process bookkeeping: free worker slots, per-subscription cap and per-subscription rate.
@Suite("Webhook dispatch capacity")
struct WebhookCapacityTests {
    @Test("busy subscriptions get what is left under the cap; free slots shrink and grow")
    func cap() {
        let capacity = DispatchCapacity(workers: 5, perSubscriptionCap: 2)
        let a = UUID()
        let b = UUID()
        #expect(capacity.snapshot().free == 5)
        #expect(capacity.snapshot().quotas.isEmpty)
        capacity.begin(subscriptionID: a, maxPerSecond: nil)
        capacity.begin(subscriptionID: a, maxPerSecond: nil)
        capacity.begin(subscriptionID: b, maxPerSecond: nil)
        let snapshot = capacity.snapshot()
        #expect(snapshot.free == 2)
        #expect(snapshot.quotas == [a: 0, b: 1])
        capacity.end(subscriptionID: a)
        capacity.end(subscriptionID: b)
        #expect(capacity.snapshot().quotas == [a: 1])
        #expect(capacity.inFlight == 1)
    }

    @Test("a slot is free when its request ends, but at most twice the workers wait to be recorded")
    func unrecordedBound() {
        let capacity = DispatchCapacity(workers: 2, perSubscriptionCap: 2)
        let id = UUID()
        capacity.begin(subscriptionID: id, maxPerSecond: nil)
        capacity.begin(subscriptionID: id, maxPerSecond: nil)
        #expect(capacity.snapshot().free == 0)
        capacity.end(subscriptionID: id)
        capacity.end(subscriptionID: id)
        #expect(capacity.snapshot().free == 2, "answered: the slots take new work while the recorder writes")
        capacity.begin(subscriptionID: id, maxPerSecond: nil)
        capacity.begin(subscriptionID: id, maxPerSecond: nil)
        capacity.end(subscriptionID: id)
        capacity.end(subscriptionID: id)
        #expect(capacity.unrecorded == 4)
        #expect(capacity.snapshot().free == 0, "four answers wait for the database: no more claims")
        capacity.recorded()
        #expect(capacity.snapshot().free == 1)
        capacity.recorded()
        capacity.recorded()
        capacity.recorded()
        #expect(capacity.snapshot().free == 2)
        #expect(capacity.unrecorded == 0)
    }

    @Test("with a backlog and half the workers busy, a claim waits for a quarter free or 50 ms")
    func claimHoldBack() {
        let capacity = DispatchCapacity(workers: 8, perSubscriptionCap: 8)
        let id = UUID()
        let start = ContinuousClock.now
        #expect(capacity.claimWorthwhile(now: start), "idle: claim at once")
        for _ in 0..<8 { capacity.begin(subscriptionID: id, maxPerSecond: nil) }
        capacity.claimed(8, of: 8, now: start)
        #expect(!capacity.claimWorthwhile(now: start), "no free slot")
        #expect(capacity.claimAdvice(now: start) == .nothing)
        capacity.end(subscriptionID: id)
        #expect(!capacity.claimWorthwhile(now: start + .milliseconds(10)), "1 of 8 free, 7 busy, backlog: wait")
        #expect(
            capacity.claimAdvice(now: start + .milliseconds(10)) == .holdBack(until: start + .milliseconds(50)),
            "until the hold-back ends")
        #expect(capacity.armHoldBackWakeUp(), "one wake-up for its end")
        #expect(!capacity.armHoldBackWakeUp(), "not two")
        capacity.holdBackWakeUpFired()
        #expect(capacity.armHoldBackWakeUp(), "after it fired, the next hold-back arms its own")
        capacity.holdBackWakeUpFired()
        #expect(capacity.claimWorthwhile(now: start + .milliseconds(60)), "but not for longer than the hold-back")
        capacity.end(subscriptionID: id)
        #expect(capacity.claimWorthwhile(now: start + .milliseconds(10)), "a quarter free: claim")
        capacity.claimed(3, of: 4, now: start)
        for _ in 0..<2 { capacity.begin(subscriptionID: id, maxPerSecond: nil) }
        capacity.end(subscriptionID: id)
        #expect(capacity.claimWorthwhile(now: start + .milliseconds(1)), "the last claim found less than it asked")
    }

    @Test("recording frees a slot only when answers waiting for the recorder held it")
    func recordedFreesSlot() {
        let capacity = DispatchCapacity(workers: 1, perSubscriptionCap: 1)
        let id = UUID()
        capacity.begin(subscriptionID: id, maxPerSecond: nil)
        capacity.end(subscriptionID: id)
        #expect(!capacity.recorded(), "the slot was already free when the request ended")
        capacity.begin(subscriptionID: id, maxPerSecond: nil)
        capacity.end(subscriptionID: id)
        capacity.begin(subscriptionID: id, maxPerSecond: nil)
        capacity.end(subscriptionID: id)
        #expect(capacity.snapshot().free == 0, "two answers wait for the recorder: the bound")
        #expect(capacity.recorded(), "one written: a slot is free again")
        #expect(!capacity.recorded())
    }

    @Test("a per-second rate limits a subscription's quota and refills over time")
    func rate() {
        let capacity = DispatchCapacity(workers: 100, perSubscriptionCap: 50)
        let id = UUID()
        let start = ContinuousClock.now
        for _ in 0..<3 {
            capacity.begin(subscriptionID: id, maxPerSecond: 3, now: start)
            capacity.end(subscriptionID: id)
        }
        #expect(capacity.snapshot(now: start).quotas[id] == 0, "three tokens spent")
        #expect(capacity.snapshot(now: start + .milliseconds(700)).quotas[id] == 2)
        #expect(capacity.snapshot(now: start + .seconds(10)).quotas[id] == 3, "never more than one second saved up")
        capacity.begin(subscriptionID: id, maxPerSecond: nil, now: start + .seconds(10))
        #expect(capacity.snapshot(now: start + .seconds(10)).quotas[id] == 49, "rate removed: only the cap is left")
    }
}

extension DispatchCapacity {
    fileprivate func claimWorthwhile(now: ContinuousClock.Instant) -> Bool { claimAdvice(now: now) == .claim }
}
