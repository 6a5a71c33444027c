import AsyncHTTPClient
import Foundation
import Logging
import ServiceLifecycle

/// Sends the outbox: claims due deliveries (SKIP LOCKED and a lease), signs and posts them, records every attempt,
/// and schedules retries, disables and failures.
///
/// What to claim, send, give back and when to wake is decided by one `DispatchState` behind one lock; this type
/// performs its actions (the I/O). Work is claimed in batches no larger than the free slots (`workers` requests in
/// flight and up to `claimAhead` claimed ahead for them), so memory stays flat however many deliveries are due. Each
/// subscription gets at most `maxConcurrentPerSubscription` requests at once from this process (and its optional
/// rate). The loop wakes on `wake()`, when a finished delivery frees room for a claim (see
/// `DispatchCapacity.claimAdvice`), and every `pollInterval` (the safety net that also picks up other processes'
/// events and expired leases). On graceful shutdown it stops claiming, lets the requests in flight finish and gives
/// back what it claimed ahead; cancelled outright, it sends nothing more (the attempts already handed to the recorder
/// are still written), and killed, it records nothing more: the leases make those deliveries due again for another
/// dispatcher, with the same `webhook-id`.
///
/// A class: every worker and recorder callback captures it, and a reference is one retain where a copy of a struct
/// takes one per stored property.
public final class WebhookDispatcher: Service {
    let database: Database
    let store: DeliveryStore
    let settings: WebhookSettings
    let sender: WebhookSender
    let policy: WebhookRetryPolicy
    let recorder: DeliveryRecorder
    /// Capacity, claim-ahead, pacing and disabled subscriptions: every decision, under one lock (the claiming loop,
    /// the workers and the recorder's callbacks all change it; each change is a few dictionary operations, cheaper
    /// than an actor hop on every delivery).
    let state: LockedValue<DispatchState>
    /// The limits `state` was made with, normalized (see `DispatchCapacity.init`).
    let workers: Int
    let claimAhead: Int
    let perSubscriptionCap: Int
    let metrics = WebhookMetrics()
    let logger: Logger
    /// Identifies this dispatcher's leases.
    let owner: String
    /// Wakes the claim loop (after commits that enqueued deliveries, and every `pollInterval`); finished on
    /// graceful shutdown.
    private let wakeSignal = WakeSignal()

    public convenience init(database: Database, settings: WebhookSettings, httpClient: HTTPClient, logger: Logger) {
        self.init(
            database: database, settings: settings, httpClient: httpClient, resolver: SystemHostResolver(),
            logger: logger)
    }

    /// As above, with the resolver used for the destination guard (tests give fixed answers).
    public init(
        database: Database, settings: WebhookSettings, httpClient: HTTPClient, resolver: any HostResolver,
        logger: Logger
    ) {
        var logger = logger
        logger[metadataKey: "component"] = "webhooks"
        var allowed: [CIDR] = []
        for text in settings.allowDestinations {
            do { allowed.append(try CIDR(text)) } catch {
                logger.error("ignoring an invalid webhooks.allowDestinations entry", metadata: ["entry": "\(text)"])
            }
        }
        self.database = database
        self.store = DeliveryStore(database: database)
        self.settings = settings
        self.sender = WebhookSender(
            httpClient: httpClient, resolver: resolver, destinationGuard: DestinationGuard(allowed: allowed),
            timeout: .milliseconds(Int64(settings.timeoutSeconds * 1000)), userAgent: settings.userAgent,
            publicURL: settings.publicURL)
        self.policy = settings.retryPolicy
        let state = DispatchState(limits: DispatchState.Limits(settings: settings))
        self.state = LockedValue(state)
        (workers, claimAhead) = (state.capacity.workers, state.capacity.claimAhead)
        perSubscriptionCap = state.capacity.perSubscriptionCap
        self.logger = logger
        let owner =
            "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):"
            + UUID().uuidString.prefix(8).lowercased()
        self.owner = owner
        self.recorder = DeliveryRecorder(store: store, owner: owner)
    }

    /// Wakes the loop now (after a transaction that enqueued events commits). Cheap and safe from anywhere.
    public nonisolated func wake() {
        wakeSignal.signal()
    }

    public func run() async throws {
        logger.info(
            "webhook dispatcher started",
            metadata: [
                "owner": "\(owner)", "workers": "\(workers)", "claim_ahead": "\(claimAhead)",
            ])
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.reportPending() }
                await dispatchLoop()
                // Every delivery task has ended; the answers they handed to the recorder are written before it
                // returns.
                await recorder.finish()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.wakeSignal.finish()
        }
        logger.info("webhook dispatcher stopped")
    }

    /// Claims deliveries for the workers (`DeliveryQueue`, `workers` of them) each time the loop is woken, until the
    /// wake-ups end (graceful shutdown) or the task is cancelled; then waits for the workers to send what they were
    /// given.
    private func dispatchLoop() async {
        await withDiscardingTaskGroup { group in
            let queue = DeliveryQueue()
            for _ in 0..<workers {
                group.addTask { await self.work(queue) }
            }
            // Claims at once, then at each wake-up and at least every pollInterval.
            while true {
                await fill(queue)
                guard !Task.isCancelled, await wakeSignal.wait(timeout: settings.pollInterval) else { break }
            }
            // Graceful shutdown: the requests in flight finish; deliveries claimed ahead and not started are given
            // back, due at once and their attempt uncounted, for the next dispatcher (a request begun after the
            // shutdown began could outlast the time the service group allows and be cut off unrecorded).
            let left = queue.finish()
            await giveBack(left.map(\.delivery))
        }
    }

    /// Returns claimed deliveries that were never sent (see `DeliveryStore.release`), frees their slots, and wakes the
    /// loop to claim them (or others) again.
    private func giveBack(_ deliveries: [ClaimedDelivery]) async {
        guard !deliveries.isEmpty else { return }
        do {
            try await store.release(ids: deliveries.map(\.id), owner: owner)
        } catch {
            // Their leases bring them back.
            if !Task.isCancelled {
                logger.warning(
                    "could not give back unsent deliveries; they are due again when their lease ends",
                    metadata: ["count": "\(deliveries.count)", "error": "\(String(reflecting: error))"])
            }
        }
        let now = ContinuousClock.now
        let ids = deliveries.map(\.subscriptionID)
        perform(state.withLock { $0.gaveBack(ids, now: now) })
    }

    /// One worker: sends deliveries from `queue` one after the other until it is finished (or cancelled). Whether
    /// each goes now, after its turn under the rate or back unsent is `DispatchState`'s call.
    private func work(_ queue: DeliveryQueue) async {
        while let item = await queue.next() {
            let now = ContinuousClock.now
            switch state.withLock({ $0.startRequested(item, now: now) }) {
            case .sendNow:
                await deliver(item.delivery)
            case .giveBack:
                await giveBack([item.delivery])
            case .sendAt(let turn):
                try? await Task.sleep(until: turn, clock: .continuous)
                // Cancelled: the lease brings it back. Shutting down: not started after the shutdown began.
                if Task.isCancelled { return }
                let shuttingDown = queue.isFinished
                let now = ContinuousClock.now
                if state.withLock({ $0.waitOver(item, shuttingDown: shuttingDown, now: now) }) == nil {
                    await deliver(item.delivery)
                } else {
                    await giveBack([item.delivery])
                }
            }
        }
    }

    /// Hands as many due deliveries to the workers as there is room for.
    private func fill(_ queue: DeliveryQueue) async {
        while !Task.isCancelled {
            // One claim at a time (this loop), for whatever is free when it starts: slots that free up while a
            // claim is on its way are claimed together by the next one.
            let now = ContinuousClock.now
            let step = state.withLock { $0.nextClaim(now: now) }
            guard case .claim(let limit, let quotas) = step else {
                if case .stop(let wake) = step { perform(wake) }
                return
            }
            let claimed: [ClaimedDelivery]
            let claimedAt = ContinuousClock.now
            do {
                claimed = try await store.claim(
                    owner: owner, limit: limit, quotas: quotas, defaultQuota: perSubscriptionCap,
                    lease: settings.effectiveLease)
            } catch {
                if !Task.isCancelled {
                    logger.error("could not claim deliveries", metadata: ["error": "\(String(reflecting: error))"])
                }
                return
            }
            let answeredAt = ContinuousClock.now
            let again = state.withLock { $0.claimed(claimed, asked: limit, now: answeredAt) }
            for delivery in claimed { queue.push(delivery, claimedAt: claimedAt) }
            if !again { return }
        }
    }

    /// A delivery's request is over (`recording`: its attempt goes to the recorder; `recordedAttempt` follows).
    func requestOver(_ delivery: ClaimedDelivery, recording: Bool) {
        let now = ContinuousClock.now
        perform(
            state.withLock { $0.requestOver(subscriptionID: delivery.subscriptionID, recording: recording, now: now) })
    }

    /// An attempt handed to the recorder is recorded (or could not be).
    func recordedAttempt() {
        let now = ContinuousClock.now
        perform(state.withLock { $0.recorded(now: now) })
    }

    /// This dispatcher disabled `subscriptionID` (committed): its deliveries claimed before now stay unsent.
    func subscriptionDisabled(_ subscriptionID: UUID) {
        let now = ContinuousClock.now
        state.withLock { $0.subscriptionDisabled(subscriptionID, at: now) }
    }

    /// Wakes the claiming loop as `DispatchState` said: now, or once at the end of a claim hold-back (free slots held
    /// back for a larger claim must not wait for the poll interval if nothing else finishes).
    private func perform(_ wake: DispatchState.Wake) {
        switch wake {
        case .none:
            break
        case .claimer:
            self.wake()
        case .claimerAt(let instant):
            Task {
                try? await Task.sleep(until: instant, clock: .continuous)
                let now = ContinuousClock.now
                self.perform(self.state.withLock { $0.tick(now: now) })
            }
        }
    }

    /// Publishes `webhook_pending_deliveries` every few seconds.
    private func reportPending() async {
        let interval = max(settings.pollInterval, .seconds(5))
        while !Task.isCancelled {
            if let count = try? await store.pendingCount() { metrics.recordPending(count) }
            try? await Task.sleep(for: interval)
        }
    }
}
