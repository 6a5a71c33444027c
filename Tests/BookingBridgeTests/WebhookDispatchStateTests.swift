import Foundation
import Testing

@testable import BookingBridge

/// `DispatchState`, the dispatcher's decisions, as tables: each row is a run of events at given times (milliseconds
/// after the row's start) and the action expected from each.
@Suite("Webhook dispatch state")
struct WebhookDispatchStateTests {
    /// An event told to the state; subscriptions are small numbers, times are milliseconds after the start.
    enum Event: Sendable {
        case nextClaim
        case claimed(subscriptions: [Int], rate: Int? = nil, asked: Int)
        case start(subscription: Int, rate: Int? = nil, claimedAt: Int = 0)
        case waitOver(subscription: Int, claimedAt: Int = 0, shuttingDown: Bool = false)
        case requestOver(subscription: Int, recording: Bool = true)
        case recorded
        case disabled(subscription: Int)
        case gaveBack(subscriptions: [Int])
        case tick
    }

    /// A wake-up: none, now, or at a time.
    enum Wake: Equatable, Sendable {
        case none, now
        case at(Int)
    }

    /// What the state answered, in the tables' terms.
    enum Answer: Equatable, Sendable {
        case claim(limit: Int, quotas: [Int: Int])
        case stop(Wake)
        case claimAgain(Bool)
        case sendNow
        case sendAt(Int)
        case giveBack(DispatchState.GiveBackReason)
        case wake(Wake)
        case done
    }

    struct Step: Sendable {
        var at: Int
        var event: Event
        var expected: Answer
        init(_ at: Int, _ event: Event, _ expected: Answer) {
            (self.at, self.event, self.expected) = (at, event, expected)
        }
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var limits: DispatchState.Limits
        var steps: [Step]
        var testDescription: String { name }
    }

    static func limits(
        workers: Int, cap: Int, claimAhead: Int? = 0, longestWait: Duration = .seconds(10)
    ) -> DispatchState.Limits {
        DispatchState.Limits(
            workers: workers, perSubscriptionCap: cap, claimAhead: claimAhead, longestWait: longestWait)
    }

    static let capacityRows: [Row] = [
        Row(
            name: "each subscription gets what is left under its cap; a finished request frees a slot",
            limits: limits(workers: 3, cap: 2),
            steps: [
                Step(0, .nextClaim, .claim(limit: 3, quotas: [:])),
                Step(0, .claimed(subscriptions: [0, 0, 1], asked: 3), .claimAgain(true)),
                Step(0, .nextClaim, .stop(.none)),
                Step(1, .requestOver(subscription: 0), .wake(.now)),
                Step(1, .nextClaim, .claim(limit: 1, quotas: [0: 1, 1: 1])),
                Step(2, .claimed(subscriptions: [], asked: 1), .claimAgain(false)),
                Step(3, .recorded, .wake(.none)),
            ]),
        Row(
            name: "answers waiting for the recorder bound the claims (twice the workers)",
            limits: limits(workers: 1, cap: 1),
            steps: [
                Step(0, .nextClaim, .claim(limit: 1, quotas: [:])),
                Step(0, .claimed(subscriptions: [0], asked: 1), .claimAgain(true)),
                Step(1, .requestOver(subscription: 0), .wake(.now)),
                Step(1, .nextClaim, .claim(limit: 1, quotas: [:])),
                Step(1, .claimed(subscriptions: [0], asked: 1), .claimAgain(true)),
                Step(2, .requestOver(subscription: 0), .wake(.none)),
                Step(2, .nextClaim, .stop(.none)),
                Step(3, .recorded, .wake(.now)),
                Step(3, .recorded, .wake(.none)),
                Step(3, .nextClaim, .claim(limit: 1, quotas: [:])),
            ]),
        Row(
            name: "a request that will not be recorded (cancelled) frees its place among the unrecorded too",
            limits: limits(workers: 1, cap: 1),
            steps: [
                Step(0, .claimed(subscriptions: [0], asked: 1), .claimAgain(true)),
                Step(1, .requestOver(subscription: 0, recording: false), .wake(.now)),
                Step(1, .claimed(subscriptions: [0], asked: 1), .claimAgain(true)),
                Step(2, .requestOver(subscription: 0, recording: false), .wake(.now)),
                Step(2, .claimed(subscriptions: [0], asked: 1), .claimAgain(true)),
                Step(3, .requestOver(subscription: 0, recording: false), .wake(.now)),
                Step(3, .nextClaim, .claim(limit: 1, quotas: [:])),
            ]),
        Row(
            name: "with a backlog and most workers busy a claim is held back, with one wake-up at its end",
            limits: limits(workers: 8, cap: 8),
            steps: [
                Step(0, .nextClaim, .claim(limit: 8, quotas: [:])),
                Step(0, .claimed(subscriptions: Array(repeating: 0, count: 8), asked: 8), .claimAgain(true)),
                Step(10, .requestOver(subscription: 0), .wake(.at(50))),
                Step(20, .nextClaim, .stop(.none)),
                Step(50, .tick, .wake(.now)),
                Step(60, .nextClaim, .claim(limit: 1, quotas: [0: 1])),
                Step(60, .claimed(subscriptions: [], asked: 1), .claimAgain(false)),
                Step(61, .requestOver(subscription: 0), .wake(.now)),
            ]),
    ]

    static let claimAheadRows: [Row] = [
        Row(
            name: "as many deliveries as workers are claimed ahead by default; one given back frees its slot",
            limits: limits(workers: 2, cap: 8, claimAhead: nil),
            steps: [
                Step(0, .nextClaim, .claim(limit: 4, quotas: [:])),
                Step(0, .claimed(subscriptions: [0, 0, 0, 0], asked: 4), .claimAgain(true)),
                Step(0, .nextClaim, .stop(.none)),
                Step(1, .gaveBack(subscriptions: [0]), .wake(.now)),
                Step(1, .nextClaim, .claim(limit: 1, quotas: [0: 5])),
                Step(2, .gaveBack(subscriptions: [0, 0, 0]), .wake(.now)),
                Step(2, .nextClaim, .claim(limit: 4, quotas: [:])),
            ]),
        Row(
            name: "never more claimed ahead than the workers",
            limits: limits(workers: 2, cap: 8, claimAhead: 10),
            steps: [Step(0, .nextClaim, .claim(limit: 4, quotas: [:]))]),
        Row(
            name: "claim-ahead 0 claims only for idle workers",
            limits: limits(workers: 2, cap: 8, claimAhead: 0),
            steps: [Step(0, .nextClaim, .claim(limit: 2, quotas: [:]))]),
        Row(
            name: "a delivery that waited for a worker longer than its lease allows is given back unsent",
            limits: limits(workers: 1, cap: 1, longestWait: .seconds(10)),
            steps: [
                Step(6_000, .waitOver(subscription: 0, claimedAt: 5_000), .sendNow),
                Step(6_000, .waitOver(subscription: 0, claimedAt: 5_000, shuttingDown: true), .giveBack(.shuttingDown)),
                Step(10_000, .start(subscription: 0), .sendNow),
                Step(10_001, .start(subscription: 0), .giveBack(.waitedTooLong)),
                Step(10_500, .waitOver(subscription: 0), .giveBack(.waitedTooLong)),
            ]),
    ]

    static let pacingRows: [Row] = [
        Row(
            name: "requests to a subscription with a rate start that many a second, in bursts of that many",
            limits: limits(workers: 8, cap: 8),
            steps: [
                Step(0, .start(subscription: 0, rate: 2), .sendNow),
                Step(0, .start(subscription: 0, rate: 2), .sendNow),
                Step(0, .start(subscription: 0, rate: 2), .sendAt(500)),
                Step(0, .start(subscription: 0, rate: 2), .sendAt(1_000)),
                Step(500, .waitOver(subscription: 0), .sendNow),
                Step(0, .start(subscription: 1, rate: 1), .sendNow),
                Step(0, .start(subscription: 2), .sendNow),
                Step(0, .start(subscription: 2), .sendNow),
                Step(10_000, .start(subscription: 0, rate: 2, claimedAt: 10_000), .sendNow),
                Step(10_000, .start(subscription: 0, rate: 2, claimedAt: 10_000), .sendNow),
                Step(10_000, .start(subscription: 0, rate: 2, claimedAt: 10_000), .sendAt(10_500)),
            ]),
        Row(
            name: "a wait for the rate that runs past the lease gives the delivery back",
            limits: limits(workers: 4, cap: 4, longestWait: .seconds(10)),
            steps: [
                Step(9_000, .start(subscription: 0, rate: 1), .sendNow),
                Step(9_000, .start(subscription: 0, rate: 1), .sendAt(10_000)),
                Step(9_000, .start(subscription: 0, rate: 1), .sendAt(11_000)),
                Step(10_000, .waitOver(subscription: 0), .sendNow),
                Step(11_000, .waitOver(subscription: 0), .giveBack(.waitedTooLong)),
            ]),
        Row(
            name:
                "a rate limits its subscription's claims and refills (a second's worth at most); claimed without it, only the cap is left",
            limits: limits(workers: 4, cap: 4),
            steps: [
                Step(0, .claimed(subscriptions: [0, 0], rate: 2, asked: 4), .claimAgain(false)),
                Step(0, .nextClaim, .claim(limit: 2, quotas: [0: 0])),
                Step(500, .nextClaim, .claim(limit: 2, quotas: [0: 1])),
                Step(5_000, .nextClaim, .claim(limit: 2, quotas: [0: 2])),
                Step(5_000, .claimed(subscriptions: [0], asked: 2), .claimAgain(false)),
                Step(5_000, .nextClaim, .claim(limit: 1, quotas: [0: 1])),
            ]),
    ]

    static let disableRows: [Row] = [
        Row(
            name: "disabled while claimed: what was claimed before goes back, what was claimed after goes out",
            limits: limits(workers: 4, cap: 4),
            steps: [
                Step(1_000, .disabled(subscription: 0), .done),
                Step(1_500, .start(subscription: 0, claimedAt: 0), .giveBack(.subscriptionDisabled)),
                Step(1_500, .start(subscription: 0, claimedAt: 1_000), .giveBack(.subscriptionDisabled)),
                Step(1_500, .start(subscription: 0, claimedAt: 1_200), .sendNow),
                Step(1_500, .start(subscription: 1, claimedAt: 0), .sendNow),
                Step(1_500, .waitOver(subscription: 0, claimedAt: 500), .giveBack(.subscriptionDisabled)),
            ]),
        Row(
            name: "disabled while waiting for its turn under the rate: given back when the turn comes",
            limits: limits(workers: 4, cap: 4),
            steps: [
                Step(0, .start(subscription: 0, rate: 1), .sendNow),
                Step(0, .start(subscription: 0, rate: 1), .sendAt(1_000)),
                Step(400, .disabled(subscription: 0), .done),
                Step(1_000, .waitOver(subscription: 0), .giveBack(.subscriptionDisabled)),
            ]),
    ]

    @Test("capacity", arguments: capacityRows)
    func capacity(_ row: Row) { Self.run(row) }

    @Test("claim-ahead", arguments: claimAheadRows)
    func claimAhead(_ row: Row) { Self.run(row) }

    @Test("pacing", arguments: pacingRows)
    func pacing(_ row: Row) { Self.run(row) }

    @Test("disabled subscriptions", arguments: disableRows)
    func disabled(_ row: Row) { Self.run(row) }

    @Test("the longest wait leaves the lease room for a whole request, or is half the lease")
    func longestWait() {
        var settings = WebhookSettings()
        #expect(settings.effectiveLease == .seconds(45))
        #expect(DispatchState.Limits(settings: settings).longestWait == .seconds(25), "45 s - 15 s - 5 s")
        settings.lease = .seconds(4)
        #expect(DispatchState.Limits(settings: settings).longestWait == .seconds(2))
        settings.workers = 0
        settings.maxConcurrentPerSubscription = 0
        let state = DispatchState(limits: DispatchState.Limits(settings: settings))
        #expect(state.capacity.workers == 1 && state.capacity.perSubscriptionCap == 1 && state.capacity.slots == 2)
    }

    static let start = ContinuousClock.now

    static func subscription(_ n: Int) -> UUID {
        UUID(uuidString: String(format: "00000000-0000-0000-0000-%012d", n))!
    }

    static func item(_ subscription: Int, rate: Int? = nil, claimedAt: Int = 0) -> DeliveryQueue.Item {
        DeliveryQueue.Item(
            delivery: ClaimedDelivery(
                id: 1, eventID: "evt_1", eventType: "booking.confirmed", body: "{}", attempt: 1,
                subscriptionID: Self.subscription(subscription), url: "http://127.0.0.1:9/hook", secret: "whsec_x",
                previousSecret: nil, previousSecretExpiresAt: nil, failingSince: nil, maxPerSecond: rate),
            claimedAt: instant(claimedAt))
    }

    static func instant(_ ms: Int) -> ContinuousClock.Instant { start + .milliseconds(ms) }

    static func ms(_ instant: ContinuousClock.Instant) -> Int { Int((instant - start).milliseconds) }

    static func wake(_ wake: DispatchState.Wake) -> Wake {
        switch wake {
        case .none: .none
        case .claimer: .now
        case .claimerAt(let instant): .at(ms(instant))
        }
    }

    static func run(_ row: Row) {
        var state = DispatchState(limits: row.limits)
        for (index, step) in row.steps.enumerated() {
            let answer = apply(step.event, to: &state, now: instant(step.at))
            #expect(answer == step.expected, "step \(index + 1) of \"\(row.name)\"")
        }
    }

    static func apply(_ event: Event, to state: inout DispatchState, now: ContinuousClock.Instant) -> Answer {
        switch event {
        case .nextClaim:
            switch state.nextClaim(now: now) {
            case .claim(let limit, let quotas):
                let byNumber = Dictionary(
                    uniqueKeysWithValues: quotas.map { (Int($0.key.uuidString.suffix(12))!, $0.value) })
                return .claim(limit: limit, quotas: byNumber)
            case .stop(let wake):
                return .stop(Self.wake(wake))
            }
        case .claimed(let subscriptions, let rate, let asked):
            let deliveries = subscriptions.map { item($0, rate: rate).delivery }
            return .claimAgain(state.claimed(deliveries, asked: asked, now: now))
        case .start(let subscription, let rate, let claimedAt):
            switch state.startRequested(item(subscription, rate: rate, claimedAt: claimedAt), now: now) {
            case .sendNow: return .sendNow
            case .sendAt(let turn): return .sendAt(ms(turn))
            case .giveBack(let reason): return .giveBack(reason)
            }
        case .waitOver(let subscription, let claimedAt, let shuttingDown):
            let reason = state.waitOver(item(subscription, claimedAt: claimedAt), shuttingDown: shuttingDown, now: now)
            return reason.map { .giveBack($0) } ?? .sendNow
        case .requestOver(let subscription, let recording):
            return .wake(
                wake(state.requestOver(subscriptionID: Self.subscription(subscription), recording: recording, now: now))
            )
        case .recorded:
            return .wake(wake(state.recorded(now: now)))
        case .disabled(let subscription):
            state.subscriptionDisabled(Self.subscription(subscription), at: now)
            return .done
        case .gaveBack(let subscriptions):
            return .wake(wake(state.gaveBack(subscriptions.map(Self.subscription), now: now)))
        case .tick:
            return .wake(wake(state.tick(now: now)))
        }
    }
}
