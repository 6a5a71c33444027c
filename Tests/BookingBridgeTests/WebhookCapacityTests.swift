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
