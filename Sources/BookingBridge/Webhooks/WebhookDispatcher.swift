import AsyncHTTPClient
import Foundation
import Logging
import ServiceLifecycle

/// Sends the outbox: claims due deliveries (SKIP LOCKED and a lease), signs and posts them, records every attempt,
/// and schedules retries, disables and failures.
///
/// Work is claimed in batches no larger than the free slots (`workers` requests in flight and up to `claimAhead`
/// claimed ahead for them, see `DispatchCapacity`), so memory stays flat however many deliveries are due. Each
/// subscription gets at most `maxConcurrentPerSubscription` requests at once from this process (and its optional
/// rate). The loop wakes on `wake()`, when a finished delivery frees room for a claim (see
/// `DispatchCapacity.claimAdvice`), and every `pollInterval` (the safety net that also picks up other processes'
/// events and expired leases). On graceful shutdown it stops claiming, lets the requests in flight finish and gives
/// back what it claimed ahead; cancelled outright (or killed), it records nothing more and the leases make those
/// deliveries due again for another dispatcher, with the same `webhook-id`.
///
/// A class: every delivery's closures capture it, and a reference is one retain where a copy of the struct it
/// was took one per stored property.
public final class WebhookDispatcher: Service {
    let database: Database
    let store: DeliveryStore
    let settings: WebhookSettings
    let sender: WebhookSender
    let policy: WebhookRetryPolicy
    let capacity: DispatchCapacity
    let recorder: DeliveryRecorder
    /// What this dispatcher disabled, so that deliveries claimed ahead for those subscriptions are not sent.
    let disabled: DisabledSubscriptions
    /// Keeps requests to a subscription with a rate within it when they start.
    let pacer = SendPacer()
    let metrics = WebhookMetrics()
    let logger: Logger
    /// Identifies this dispatcher's leases.
    let owner: String
    private let wakeups: AsyncStream<Void>
    private let wakeContinuation: AsyncStream<Void>.Continuation

    /// Claims at most this many deliveries per query.
    static let maxBatch = DeliveryStore.maximumClaim

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
        self.capacity = DispatchCapacity(
            workers: settings.workers, perSubscriptionCap: settings.maxConcurrentPerSubscription,
            claimAhead: settings.claimAhead)
        self.logger = logger
        let owner =
            "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):"
            + UUID().uuidString.prefix(8).lowercased()
        self.owner = owner
        self.recorder = DeliveryRecorder(store: store, owner: owner)
        self.disabled = DisabledSubscriptions(memory: settings.effectiveLease)
        (wakeups, wakeContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Wakes the loop now (after a transaction that enqueued events commits). Cheap and safe from anywhere.
    public nonisolated func wake() {
        wakeContinuation.yield()
    }

    public func run() async throws {
        let interval = settings.pollInterval
        let continuation = wakeContinuation
        logger.info(
            "webhook dispatcher started",
            metadata: [
                "owner": "\(owner)", "workers": "\(capacity.workers)", "claim_ahead": "\(capacity.claimAhead)",
            ])
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !Task.isCancelled {
                        continuation.yield()
                        try? await Task.sleep(for: interval)
                    }
                }
                group.addTask { await self.reportPending() }
                async let recording: Void = recorder.run(logger: logger)
                await dispatchLoop()
                // Every delivery task has ended; the answers they handed to the recorder are written before it
                // returns (unless cancelled: then the leases bring those deliveries back).
                recorder.finish()
                await recording
                group.cancelAll()
            }
        } onGracefulShutdown: {
            continuation.finish()
        }
        logger.info("webhook dispatcher stopped")
    }

    /// Claims deliveries for the workers (`DeliveryQueue`, `workers` of them) each time the loop is woken, until the
    /// wake-ups end (graceful shutdown) or the task is cancelled; then waits for the workers to send what they were
    /// given.
    private func dispatchLoop() async {
        await withDiscardingTaskGroup { group in
            let queue = DeliveryQueue()
            for _ in 0..<capacity.workers {
                group.addTask { await self.work(queue) }
            }
            for await _ in wakeups {
                await fill(queue)
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
        for delivery in deliveries {
            capacity.end(subscriptionID: delivery.subscriptionID)
            capacity.recorded()
        }
        wakeIfClaimWorthwhile()
    }

    /// One worker: sends deliveries from `queue` one after the other until it is finished (or cancelled).
    private func work(_ queue: DeliveryQueue) async {
        // A delivery that waited in the queue so long that its lease could end during its request (workers held up
        // by slow subscribers, a database slow to record) is given back rather than sent: another dispatcher could
        // take it over mid-request and send it a second time. So: no longer than the lease leaves for a request
        // and 5 s, or half the lease when it is shorter than the timeout (as in tests).
        let lease = settings.effectiveLease
        let longestWait = max(
            lease - .milliseconds(Int64(settings.timeoutSeconds * 1000)) - .seconds(5), lease / 2)
        // Waited too long, or its subscription was disabled (410 Gone) since it was claimed: given back unsent.
        let stale: (DeliveryQueue.Item) -> Bool = { item in
            ContinuousClock.now - item.claimedAt > longestWait
                || self.disabled.disabled(item.delivery.subscriptionID, after: item.claimedAt)
        }
        while let item = await queue.next() {
            let delivery = item.delivery
            if stale(item) {
                await giveBack([delivery])
                continue
            }
            if let rate = delivery.maxPerSecond {
                let start = pacer.reserve(delivery.subscriptionID, rate: rate)
                if start > .now {
                    try? await Task.sleep(until: start, clock: .continuous)
                    // Cancelled: the lease brings it back. Shutting down: not started after the shutdown began.
                    if Task.isCancelled { return }
                    if queue.isFinished || stale(item) {
                        await giveBack([delivery])
                        continue
                    }
                }
            }
            let released = LockedValue(false)
            // Once the request is over, the slot takes the next delivery while the recorder writes this one.
            let release: @Sendable () -> Void = {
                let first = released.withLock { done -> Bool in
                    if done { return false }
                    done = true
                    return true
                }
                guard first else { return }
                self.capacity.end(subscriptionID: delivery.subscriptionID)
                self.wakeIfClaimWorthwhile()
            }
            // Called once the attempt is recorded (by the recorder; this worker may have moved on by then).
            let recorded: @Sendable () -> Void = {
                release()
                if self.capacity.recorded() { self.wakeIfClaimWorthwhile() }
            }
            await deliver(delivery, requestDone: release, recorded: recorded)
        }
    }

    /// Hands as many due deliveries to the workers as there is room for.
    private func fill(_ queue: DeliveryQueue) async {
        while !Task.isCancelled {
            // One claim at a time (this loop), for whatever is free when it starts: slots that free up while a
            // claim is on its way are claimed together by the next one. While there is a backlog, a claim waits
            // for enough free slots to be worth it (`DispatchCapacity.claimAdvice`).
            switch capacity.claimAdvice() {
            case .claim: break
            case .holdBack(let until):
                wakeAfterHoldBack(until: until)
                return
            case .nothing: return
            }
            let (free, quotas) = capacity.snapshot()
            guard free >= 1 else { return }
            let limit = min(free, Self.maxBatch)
            let claimed: [ClaimedDelivery]
            let claimedAt = ContinuousClock.now
            do {
                claimed = try await store.claim(
                    owner: owner, limit: limit, quotas: quotas, defaultQuota: capacity.perSubscriptionCap,
                    lease: settings.effectiveLease)
            } catch {
                if !Task.isCancelled {
                    logger.error("could not claim deliveries", metadata: ["error": "\(String(reflecting: error))"])
                }
                return
            }
            for delivery in claimed {
                capacity.begin(subscriptionID: delivery.subscriptionID, maxPerSecond: delivery.maxPerSecond)
                queue.push(delivery, claimedAt: claimedAt)
            }
            capacity.claimed(claimed.count, of: limit)
            if claimed.count < limit { return }
        }
    }

    /// Wakes the loop when it would claim now, or once the claim hold-back ends when only that stops it. Waking
    /// it for nothing costs a task switch, and up to twice per delivery that adds up.
    private func wakeIfClaimWorthwhile() {
        switch capacity.claimAdvice() {
        case .claim: wake()
        case .holdBack(let until): wakeAfterHoldBack(until: until)
        case .nothing: break
        }
    }

    /// Free slots held back for a larger claim must not wait for the poll interval if nothing else finishes (slow
    /// subscribers): one wake-up at the end of the hold-back, at most one armed at a time.
    private func wakeAfterHoldBack(until: ContinuousClock.Instant) {
        guard capacity.armHoldBackWakeUp() else { return }
        let capacity = capacity
        Task {
            try? await Task.sleep(until: until, clock: .continuous)
            capacity.holdBackWakeUpFired()
            self.wake()
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
