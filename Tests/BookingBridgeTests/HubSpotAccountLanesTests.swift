import Foundation
import HubSpotSandbox
import Logging
import Testing

@testable import BookingBridge

/// One HubSpot account waiting for its rate budget (its 10-second window spent, or HubSpot's 429 pause) never
/// holds the booking workers another account's intents need. The waiting account's backlog is ten times the worker
/// count, so a pipeline whose workers wait on the budget while holding their slots would keep the other account's
/// intents queued behind it for minutes; the bound below is a few times what the same bookings take while the
/// waiting account is idle.
@Suite("HubSpot accounts: one account's wait never delays another's bookings", .serialized)
struct HubSpotAccountLanesTests {
    static let workers = 4
    static let backlog = 40

    @Test("one account's 10-second budget spent with a backlog: the other account books as fast as when it is idle")
    func spentBudgetDoesNotDelayAnotherAccount() async throws {
        try await TestBridge.withSecondSandbox(token: "lanes-second-token") { second, secondURL in
            try await TestBridge.run(configure: { c in
                Self.tune(&c)
                // The default account may make three calls per 10 s: about one booking per window.
                c.hubspot.rateLimitPer10s = 3
                c.addAccount("second", baseURL: secondURL, token: "lanes-second-token", source: "web2")
            }) { bridge in
                let waiting = try await Self.scenario(bridge, waiting: "web", other: "web2")
                let otherEmails = Set(await second.bookings().map(\.email))
                #expect(otherEmails == Set((300..<316).map { "visitor\($0)@lovelace.dev" }))
                #expect(waiting.booked.count < Self.backlog / 2, "the waiting account's budget allows few bookings")
                // The waiting account keeps booking (about one per 10-second window) while this is checked, and a
                // meeting exists in HubSpot a moment before the bridge records it: so the two are compared until
                // they agree, with the store read after HubSpot each time.
                var inHubSpot: Set<String> = []
                var recorded: Set<String> = []
                for _ in 0..<50 {
                    inHubSpot = Set(await bridge.sandbox.bookings().map(\.email))
                    recorded = Set(try await Self.booked(bridge, waiting.ids).map { "visitor\($0)@lovelace.dev" })
                    if inHubSpot == recorded { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(inHubSpot == recorded, "every meeting of the waiting account in HubSpot is recorded booked")
            }
        }
    }

    @Test("one account answered 429 by HubSpot with a backlog: the other account books as fast as when it is idle")
    func rateLimitedAccountDoesNotDelayAnotherAccount() async throws {
        try await TestBridge.withSecondSandbox(
            token: "lanes-noisy-token",
            configure: { sandbox in
                // Every call of this account is answered 429 TEN_SECONDLY_ROLLING (the bridge's own budget has room).
                sandbox.faults.failRate = 1
                sandbox.faults.failStatus = 429
            }
        ) { noisy, noisyURL in
            try await TestBridge.run(configure: { c in
                Self.tune(&c)
                c.addAccount("noisy", baseURL: noisyURL, token: "lanes-noisy-token", source: "noisy")
            }) { bridge in
                let waiting = try await Self.scenario(bridge, waiting: "noisy", other: "web")
                #expect(waiting.booked.isEmpty)
                #expect(await noisy.bookings().isEmpty)
                #expect(await noisy.requestStats().faulted > 0, "HubSpot answered the noisy account 429")
                let emails = Set(await bridge.sandbox.bookings().map(\.email))
                #expect(emails == Set((300..<316).map { "visitor\($0)@lovelace.dev" }))
            }
        }
    }

    /// Short backoffs, few workers (the waiting account's backlog is ten times as many), a short drain.
    static func tune(_ c: inout BridgeConfiguration) {
        c.pipeline.workers = workers
        c.pipeline.shutdownGrace = .seconds(2)
    }

    /// What became of the waiting account's backlog.
    struct Waiting {
        /// Person numbers of the backlog's intents that were booked.
        var booked: [Int]
        /// The backlog's person numbers and intent ids.
        var ids: [(Int, UUID)]
    }

    /// Person numbers of the intents among `ids` that are booked.
    static func booked(_ bridge: TestBridge, _ ids: [(Int, UUID)]) async throws -> [Int] {
        let store = IntentStore(database: bridge.database)
        var booked: [Int] = []
        for (n, id) in ids where try await store.find(id: id)?.status == .booked { booked.append(n) }
        return booked
    }

    /// Books eight intents of `other` while `waiting`'s account is idle, then gives `waiting` its backlog and, once
    /// its budget is spent, books eight more of `other`: the second eight must not take much longer than the first.
    static func scenario(_ bridge: TestBridge, waiting: String, other: String) async throws -> Waiting {
        // Starts an hour apart from tomorrow on, so that no booking's buffer or notice period takes another's slot.
        let free = try await bridge.freeSlots(
            slug: SandboxSeeds.personalLinkSlug, timezone: "Europe/London", minutes: 30)
        let tomorrow = Date().addingTimeInterval(86_400)
        var slots: [Date] = []
        for start in free where start > tomorrow && start >= (slots.last ?? .distantPast).addingTimeInterval(3600) {
            slots.append(start)
        }
        try #require(slots.count >= 16 + backlog)

        let idle = try await book(bridge, source: other, people: 300..<308, starts: Array(slots[0..<8]))
        for intent in idle.intents {
            #expect(intent.status == .booked, "\(String(describing: intent.lastError))")
        }

        var backlogIDs: [(Int, UUID)] = []
        for n in 0..<backlog {
            let answer = try await bridge.submit(
                waiting, PipelineEndToEndTests.person(400 + n, start: slots[16 + n]))
            backlogIDs.append((400 + n, try PipelineEndToEndTests.id(answer)))
        }
        // Long enough for the waiting account's first workers to spend its budget (or get their 429).
        try await Task.sleep(for: .seconds(2))

        let bound = idle.elapsed * 3 + .seconds(4)
        let loaded = try await book(
            bridge, source: other, people: 308..<316, starts: Array(slots[8..<16]), giveUp: bound + .seconds(6))
        for intent in loaded.intents {
            #expect(intent.status == .booked, "\(intent.status): \(String(describing: intent.lastError))")
        }
        #expect(
            loaded.elapsed < bound,
            "8 bookings took \(loaded.elapsed) behind the waiting account's backlog, \(idle.elapsed) without it")

        // The waiting account's intents waited their turn: none failed.
        let store = IntentStore(database: bridge.database)
        var booked: [Int] = []
        for (n, id) in backlogIDs {
            let intent = try #require(try await store.find(id: id))
            if intent.status == .booked {
                booked.append(n)
            } else {
                #expect(!intent.status.isFinal, "\(intent.status): \(String(describing: intent.lastError))")
            }
        }
        return Waiting(booked: booked, ids: backlogIDs)
    }

    /// Submits one intent per start to `source` and waits until all are final (or `giveUp` has passed).
    static func book(
        _ bridge: TestBridge, source: String, people: Range<Int>, starts: [Date], giveUp: Duration = .seconds(30)
    ) async throws -> (elapsed: Duration, intents: [IntentRecord]) {
        let started = ContinuousClock.now
        var ids: [UUID] = []
        for (n, start) in zip(people, starts) {
            let answer = try await bridge.submit(source, PipelineEndToEndTests.person(n, start: start))
            ids.append(try PipelineEndToEndTests.id(answer))
        }
        let store = IntentStore(database: bridge.database)
        while true {
            var intents: [IntentRecord] = []
            for id in ids {
                if let intent = try await store.find(id: id) { intents.append(intent) }
            }
            let elapsed = ContinuousClock.now - started
            if (intents.count == ids.count && intents.allSatisfy(\.status.isFinal)) || elapsed > giveUp {
                return (elapsed, intents)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// The claim loop's bookkeeping by account (`AccountLanes`), as values.
@Suite("AccountLanes")
struct AccountLanesTests {
    @Test("a waiting account's workers hold no slot and its sources are not claimed; its last wait ends that")
    func waitingFreesSlots() {
        var lanes = AccountLanes(workers: 4)
        let ids = (0..<4).map { _ in UUID() }
        let r1 = lanes.start(ids[0], account: nil)
        #expect(r1)
        let r2 = lanes.start(ids[1], account: "eu")
        #expect(r2)
        let r3 = lanes.start(ids[2], account: "eu")
        #expect(r3)
        let r4 = lanes.start(ids[3], account: "eu")
        #expect(r4)
        #expect(lanes.free == 0)
        let r5 = lanes.waitBegan("eu")
        #expect(r5)
        let r6 = lanes.waitBegan("eu")
        #expect(!r6, "a second waiting call of the same account changes nothing")
        #expect(lanes.free == 3, "every worker of the waiting account gives its slot back")
        #expect(lanes.waiting == ["eu"])
        #expect(lanes.total == 4)
        let r7 = lanes.waitEnded("eu")
        #expect(!r7)
        #expect(lanes.free == 3)
        let r8 = lanes.waitEnded("eu")
        #expect(r8)
        #expect(lanes.free == 0 && lanes.waiting.isEmpty)
        let r9 = lanes.waitEnded("eu")
        #expect(!r9, "an unpaired end is ignored")
        lanes.finish(ids[1], account: "eu")
        lanes.finish(ids[1], account: "eu")
        #expect(lanes.free == 1, "finishing twice frees one slot")
    }

    @Test("an intent already being booked in this process is not started again")
    func noSecondStart() {
        var lanes = AccountLanes(workers: 2)
        let id = UUID()
        let r10 = lanes.start(id, account: nil)
        #expect(r10)
        let r11 = lanes.start(id, account: nil)
        #expect(!r11)
        #expect(lanes.free == 1 && lanes.total == 1)
        lanes.finish(id, account: nil)
        let r12 = lanes.start(id, account: nil)
        #expect(r12)
    }

    @Test("claimable sources: all, all but a waiting named account's, only the named non-waiting ones")
    func claimableSources() {
        let sources = ["eu-site": "eu", "eu-form": "eu", "us-site": "us"]
        #expect(AccountLanes.claimable(waiting: [], sourceAccounts: sources) == .all)
        #expect(AccountLanes.claimable(waiting: ["eu"], sourceAccounts: sources) == .except(["eu-form", "eu-site"]))
        #expect(
            AccountLanes.claimable(waiting: [nil], sourceAccounts: sources) == .only(["eu-form", "eu-site", "us-site"]))
        #expect(AccountLanes.claimable(waiting: [nil, "eu"], sourceAccounts: sources) == .only(["us-site"]))
        #expect(AccountLanes.claimable(waiting: [nil, "eu", "us"], sourceAccounts: sources) == .only([]))
    }
}

/// The claim's source filter on a real database: left-out sources' intents stay due and untouched.
@Suite("Claiming around a waiting account")
struct ClaimSourceFilterTests {
    @Test("claimDue with .except and .only takes only the sources it may; the others stay due, unclaimed")
    func sourceFilter() async throws {
        try await TestDatabase.withFreshDatabase { db in
            let store = IntentStore(database: db)
            var ids: [String: UUID] = [:]
            for source in ["eu-site", "us-site", "main"] {
                ids[source] = try await store.insert(IntentStoreTests.newIntent(source: source)).record.id
            }
            let except = try await store.claimDue(
                owner: "a", limit: 10, lease: .seconds(60), sources: .except(["eu-site", "main"]))
            #expect(except.map(\.source) == ["us-site"])
            let only = try await store.claimDue(owner: "a", limit: 10, lease: .seconds(60), sources: .only(["main"]))
            #expect(only.map(\.source) == ["main"])
            let left = try #require(try await store.find(id: ids["eu-site"]!))
            #expect(left.lockedBy == nil && left.attempts == 0 && left.nextAttemptAt <= Date())
            let rest = try await store.claimDue(owner: "a", limit: 10, lease: .seconds(60))
            #expect(rest.map(\.source) == ["eu-site"])
        }
    }
}
