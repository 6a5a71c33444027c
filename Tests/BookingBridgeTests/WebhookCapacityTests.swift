import Foundation
import Testing

@testable import BookingBridge

/// The dispatcher's in-process bookkeeping: free worker slots, per-subscription cap and per-subscription rate.
@Suite("Webhook dispatch capacity")
struct WebhookCapacityTests {
    @Test("busy subscriptions get what is left under the cap; free slots shrink and grow")
    func cap() {
        var capacity = DispatchCapacity(workers: 5, perSubscriptionCap: 2, claimAhead: 0)
        let now = ContinuousClock.now
        let a = UUID()
        let b = UUID()
        #expect(capacity.snapshot(now: now).free == 5)
        #expect(capacity.snapshot(now: now).quotas.isEmpty)
        capacity.begin(subscriptionID: a, maxPerSecond: nil, now: now)
        capacity.begin(subscriptionID: a, maxPerSecond: nil, now: now)
        capacity.begin(subscriptionID: b, maxPerSecond: nil, now: now)
        let snapshot = capacity.snapshot(now: now)
        #expect(snapshot.free == 2)
        #expect(snapshot.quotas == [a: 0, b: 1])
        capacity.end(subscriptionID: a)
        capacity.end(subscriptionID: b)
        #expect(capacity.snapshot(now: now).quotas == [a: 1])
        #expect(capacity.inFlight == 1)
    }

    @Test("as many deliveries as workers are claimed ahead by default, never more")
    func claimAhead() {
        var capacity = DispatchCapacity(workers: 4, perSubscriptionCap: 16)
        let now = ContinuousClock.now
        #expect(capacity.slots == 8)
        #expect(capacity.snapshot(now: now).free == 8)
        let id = UUID()
        for _ in 0..<8 { capacity.begin(subscriptionID: id, maxPerSecond: nil, now: now) }
        #expect(capacity.snapshot(now: now).free == 0, "4 requests and 4 waiting for a worker")
        capacity.end(subscriptionID: id)
        #expect(capacity.snapshot(now: now).free == 1)
        #expect(DispatchCapacity(workers: 4, perSubscriptionCap: 4, claimAhead: 10).slots == 8, "at most the workers")
        #expect(DispatchCapacity(workers: 4, perSubscriptionCap: 4, claimAhead: 0).slots == 4)
    }

    @Test("a slot is free when its request ends, but at most twice the workers wait to be recorded")
    func unrecordedBound() {
        var capacity = DispatchCapacity(workers: 2, perSubscriptionCap: 2, claimAhead: 0)
        let now = ContinuousClock.now
        let id = UUID()
        capacity.begin(subscriptionID: id, maxPerSecond: nil, now: now)
        capacity.begin(subscriptionID: id, maxPerSecond: nil, now: now)
        #expect(capacity.snapshot(now: now).free == 0)
        capacity.end(subscriptionID: id)
        capacity.end(subscriptionID: id)
        #expect(capacity.snapshot(now: now).free == 2, "answered: the slots take new work while the recorder writes")
        capacity.begin(subscriptionID: id, maxPerSecond: nil, now: now)
        capacity.begin(subscriptionID: id, maxPerSecond: nil, now: now)
        capacity.end(subscriptionID: id)
        capacity.end(subscriptionID: id)
        #expect(capacity.unrecorded == 4)
        #expect(capacity.snapshot(now: now).free == 0, "four answers wait for the database: no more claims")
        capacity.recorded()
        #expect(capacity.snapshot(now: now).free == 1)
        capacity.recorded()
        capacity.recorded()
        capacity.recorded()
        #expect(capacity.snapshot(now: now).free == 2)
        #expect(capacity.unrecorded == 0)
    }

    @Test("with a backlog and half the workers busy, a claim waits for a quarter free or 50 ms")
    func claimHoldBack() {
        var capacity = DispatchCapacity(workers: 8, perSubscriptionCap: 8, claimAhead: 0)
        let now = ContinuousClock.now
        let id = UUID()
        let start = ContinuousClock.now
        #expect(capacity.claimWorthwhile(now: start), "idle: claim at once")
        for _ in 0..<8 { capacity.begin(subscriptionID: id, maxPerSecond: nil, now: now) }
        capacity.claimed(8, of: 8, now: start)
        #expect(!capacity.claimWorthwhile(now: start), "no free slot")
        #expect(capacity.claimAdvice(now: start) == .nothing)
        capacity.end(subscriptionID: id)
        #expect(!capacity.claimWorthwhile(now: start + .milliseconds(10)), "1 of 8 free, 7 busy, backlog: wait")
        #expect(
            capacity.claimAdvice(now: start + .milliseconds(10)) == .holdBack(until: start + .milliseconds(50)),
            "until the hold-back ends")
        let armed = capacity.armHoldBackWakeUp()
        #expect(armed, "one wake-up for its end")
        let armedTwice = capacity.armHoldBackWakeUp()
        #expect(!armedTwice, "not two")
        capacity.holdBackWakeUpFired()
        let armedAfterFiring = capacity.armHoldBackWakeUp()
        #expect(armedAfterFiring, "after it fired, the next hold-back arms its own")
        capacity.holdBackWakeUpFired()
        #expect(capacity.claimWorthwhile(now: start + .milliseconds(60)), "but not for longer than the hold-back")
        capacity.end(subscriptionID: id)
        #expect(capacity.claimWorthwhile(now: start + .milliseconds(10)), "a quarter free: claim")
        capacity.claimed(3, of: 4, now: start)
        for _ in 0..<2 { capacity.begin(subscriptionID: id, maxPerSecond: nil, now: now) }
        capacity.end(subscriptionID: id)
        #expect(capacity.claimWorthwhile(now: start + .milliseconds(1)), "the last claim found less than it asked")
    }

    @Test("recording frees a slot only when answers waiting for the recorder held it")
    func recordedFreesSlot() {
        var capacity = DispatchCapacity(workers: 1, perSubscriptionCap: 1, claimAhead: 0)
        let now = ContinuousClock.now
        let id = UUID()
        capacity.begin(subscriptionID: id, maxPerSecond: nil, now: now)
        capacity.end(subscriptionID: id)
        let freedEarly = capacity.recorded()
        #expect(!freedEarly, "the slot was already free when the request ended")
        capacity.begin(subscriptionID: id, maxPerSecond: nil, now: now)
        capacity.end(subscriptionID: id)
        capacity.begin(subscriptionID: id, maxPerSecond: nil, now: now)
        capacity.end(subscriptionID: id)
        #expect(capacity.snapshot(now: now).free == 0, "two answers wait for the recorder: the bound")
        let freedFirst = capacity.recorded()
        #expect(freedFirst, "one written: a slot is free again")
        let freedSecond = capacity.recorded()
        #expect(!freedSecond)
    }

    @Test("a per-second rate limits a subscription's quota and refills over time")
    func rate() {
        var capacity = DispatchCapacity(workers: 100, perSubscriptionCap: 50)
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

/// The queue from the claiming loop to the dispatcher's workers.
@Suite("Webhook delivery queue")
struct DeliveryQueueTests {
    static func delivery(_ id: Int64) -> ClaimedDelivery {
        ClaimedDelivery(
            id: id, eventID: "evt_\(id)", eventType: "booking.confirmed", body: "{}", attempt: 1,
            subscriptionID: UUID(),
            url: "http://127.0.0.1:9/hook", secret: "whsec_x", previousSecret: nil, previousSecretExpiresAt: nil,
            failingSince: nil, maxPerSecond: nil)
    }

    @Test("requests to a subscription with a rate start at most that many a second, in bursts of at most that many")
    func sendPacer() {
        var pacer = SendPacer()
        let id = UUID()
        let start = ContinuousClock.now
        // Rate 2: two at once, then one every half second.
        let turns = (0..<5).map { _ in pacer.reserve(id, rate: 2, now: start) - start }
        #expect(turns == [.zero, .zero, .milliseconds(500), .seconds(1), .milliseconds(1500)])
        #expect(pacer.reserve(UUID(), rate: 1, now: start) == start, "each subscription has its own")
        // After a quiet spell the bucket is full again.
        let later = start + .seconds(10)
        #expect(pacer.reserve(id, rate: 2, now: later) == later)
        #expect(pacer.reserve(id, rate: 2, now: later) == later)
        #expect(pacer.reserve(id, rate: 2, now: later) == later + .milliseconds(500))
    }

    @Test("a subscription disabled after a delivery was claimed stops it; one claimed after the disable goes out")
    func disabledSubscriptions() {
        var disabled = DisabledSubscriptions(memory: .seconds(60))
        let id = UUID()
        let start = ContinuousClock.now
        #expect(!disabled.disabled(id, after: start))
        disabled.record(id, at: start + .seconds(1))
        #expect(disabled.disabled(id, after: start), "claimed before the disable")
        #expect(!disabled.disabled(id, after: start + .seconds(2)), "claimed after: enabled again meanwhile")
        #expect(!disabled.disabled(UUID(), after: start))
        // Forgotten once no queued delivery can be that old (another record prunes it).
        disabled.record(UUID(), at: start + .seconds(120))
        #expect(!disabled.disabled(id, after: start))
    }

    @Test("workers get deliveries in claim order, waiting when none is queued; finished, they stop")
    func order() async throws {
        let queue = DeliveryQueue()
        queue.push(Self.delivery(1))
        queue.push(Self.delivery(2))
        #expect(queue.queued == 2)
        #expect(await queue.next()?.delivery.id == 1)
        #expect(await queue.next()?.delivery.id == 2)
        async let third = queue.next()
        try await Task.sleep(for: .milliseconds(50))
        queue.push(Self.delivery(3))
        #expect(await third?.delivery.id == 3, "handed to the waiting worker")
        async let waiting = queue.next()
        try await Task.sleep(for: .milliseconds(50))
        queue.push(Self.delivery(4))
        queue.push(Self.delivery(5))
        #expect(await waiting?.delivery.id == 4)
        #expect(queue.finish().map(\.delivery.id) == [5], "what was never taken is handed back")
        #expect(await queue.next() == nil)
        queue.push(Self.delivery(6))
        #expect(await queue.next() == nil, "finished: nothing more is taken")
    }

    @Test("a waiting worker whose task is cancelled gets nil, and the queue still serves the others")
    func cancelled() async throws {
        let queue = DeliveryQueue()
        let waiter = Task { await queue.next() }
        try await Task.sleep(for: .milliseconds(50))
        waiter.cancel()
        #expect(await waiter.value == nil)
        queue.push(Self.delivery(7))
        #expect(await queue.next()?.delivery.id == 7, "the cancelled worker took nothing")
        let late = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await queue.next()
        }
        #expect(await late.value == nil, "cancelled before it asked")
        #expect(queue.queued == 0)
        queue.push(Self.delivery(8))
        let cancelledWithWork = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await queue.next()
        }
        #expect(await cancelledWithWork.value == nil, "a cancelled worker starts nothing, even with work queued")
        #expect(queue.queued == 1)
    }
}
