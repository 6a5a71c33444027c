import Foundation
import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle

/// The booking workers of one process, as a service.
///
/// Claims due intents (SKIP LOCKED, with a lease) as workers free up, and runs each through a `BookingWorker`.
/// Woken at once by `wake()` (intake in this process) and by NOTIFY (intake in any process, unless `pollOnly`),
/// and polls as a safety net. With several HubSpot accounts, an account whose calls wait for its rate budget
/// holds no worker slot and gets no new claims meanwhile (`AccountLanes`): one account's spent window or 429 pause
/// never delays another account's bookings. On graceful shutdown it stops claiming and lets in-flight work finish for up to
/// `shutdownGrace`; what is still running then is cancelled, and its lease expiry hands it to another process.
public final class BookingPipeline: Service, Sendable {
    private let database: Database
    private let store: IntentStore
    private let settings: PipelineSettings
    private let worker: BookingWorker
    /// Workers of the further HubSpot accounts by name, and the account each source books with.
    private let accountWorkers: [String: BookingWorker]
    /// The account each source books with, by name, for sources that name an account of `accountWorkers`.
    private let sourceAccounts: [String: String]
    private let lanes: LockedValue<AccountLanes>
    private let signal = WakeSignal()
    private let logger: Logger
    /// Identifies this process's claims in `intents.locked_by`.
    public let owner: String

    /// - Parameters:
    ///   - api: the default HubSpot account's client.
    ///   - accounts: further HubSpot accounts by name (client and availability cache); each gets its own link cache.
    ///   - sourceAccounts: the account name a source books with; sources not named here use `api`.
    ///   - crm: the default account's client for reconciliation's CRM reads (`api` when nil); give one that
    ///     yields to bookings in the account's budget (`HubSpotClient.readingAfterBookings`).
    public init(
        database: Database, api: any SchedulerAPI, crm: (any SchedulerAPI)? = nil, availability: AvailabilityCache,
        accounts: [String: Account] = [:],
        sourceAccounts: [String: String] = [:], settings: PipelineSettings, logger: Logger,
        onEventsCommitted: @escaping @Sendable () -> Void = {}
    ) {
        self.database = database
        self.store = IntentStore(database: database)
        self.settings = settings
        self.logger = logger
        let host = ProcessInfo.processInfo.hostName
        self.owner = "\(host)/\(ProcessInfo.processInfo.processIdentifier)/\(UUID().uuidString.prefix(8))"
        let store = self.store
        let owner = self.owner
        func worker(
            _ api: any SchedulerAPI, crm: (any SchedulerAPI)?, _ availability: AvailabilityCache, account: String?
        ) -> BookingWorker {
            var logger = logger
            logger[metadataKey: "hubspot_account"] = "\(account ?? "default")"
            return BookingWorker(
                database: database, store: store, api: api, crm: CRMReconciliation(api: crm ?? api),
                crmScope: CRMScopeNotice(),
                catalog: LinkCatalog(api: api, infoTTL: settings.linkCacheTTL), availability: availability,
                policy: RetryPolicy(settings), lease: settings.lease, reconcileDelay: settings.reconcileDelay,
                owner: owner, logger: logger, onEventsCommitted: onEventsCommitted)
        }
        self.worker = worker(api, crm: crm, availability, account: nil)
        self.accountWorkers = accounts.reduce(into: [:]) {
            $0[$1.key] = worker($1.value.api, crm: $1.value.crm, $1.value.availability, account: $1.key)
        }
        let named = Set(accounts.keys)
        self.sourceAccounts = sourceAccounts.filter { named.contains($0.value) }
        self.lanes = LockedValue(AccountLanes(workers: settings.workers))
    }

    /// A further HubSpot account: its client and the availability cache over that client.
    public struct Account: Sendable {
        public var api: any SchedulerAPI
        /// Reconciliation's CRM reads (`api` when nil).
        public var crm: (any SchedulerAPI)?
        public var availability: AvailabilityCache
        public init(api: any SchedulerAPI, crm: (any SchedulerAPI)? = nil, availability: AvailabilityCache) {
            self.api = api
            self.crm = crm
            self.availability = availability
        }
    }

    /// The worker of the HubSpot account `source` books with (the default account's when it names none).
    func worker(forSource source: String) -> BookingWorker {
        sourceAccounts[source].flatMap { accountWorkers[$0] } ?? worker
    }

    /// Books one claimed intent, telling the lanes when its account's calls wait for the budget.
    private func process(_ intent: IntentRecord, account: AccountLanes.Account) async {
        let worker = worker(forSource: intent.source)
        let wait = HubSpotBudgetWait(
            began: { self.budgetWait(began: true, account: account, logger: worker.logger) },
            ended: { self.budgetWait(began: false, account: account, logger: worker.logger) })
        await HubSpotBudgetWait.$current.withValue(wait) { await worker.process(intent) }
        lanes.withLock { $0.finish(intent.id, account: account) }
        signal.signal()
    }

    /// An account's first waiting call frees its workers' slots and stops its claims; its last one resumes them.
    /// Either way the claim loop looks again at once.
    private func budgetWait(began: Bool, account: AccountLanes.Account, logger: Logger) {
        let (changed, calls) = lanes.withLock { lanes in
            let changed = began ? lanes.waitBegan(account) : lanes.waitEnded(account)
            return (changed, lanes.waitingCalls[account, default: 0])
        }
        let name = account ?? "default"
        Gauge(label: "bookingbridge_budget_waiting_calls", dimensions: [("account", name)]).record(calls)
        if began { PipelineMetrics.count("bookingbridge_budget_waits_total", ["account": name]) }
        guard changed else { return }
        logger.debug(
            began
                ? "HubSpot account waits for its rate budget: its intents stay due, its workers free their slots"
                : "HubSpot account's rate budget has room again: its intents are claimed again")
        signal.signal()
    }

    /// Look for work now (a new intent was committed).
    public func wake() { signal.signal() }

    public func run() async throws {
        logger.info(
            "booking pipeline started",
            metadata: ["workers": "\(settings.workers)", "owner": "\(owner)", "poll_only": "\(settings.pollOnly)"])
        let shuttingDown = LockedValue(false)
        await withTaskGroup(of: Void.self) { helpers in
            if !settings.pollOnly { helpers.addTask { await self.listen() } }
            helpers.addTask { await self.reportQueue() }

            await withGracefulShutdownHandler {
                // Discarding: a plain task group keeps every finished child (tens of KB each) until it is awaited.
                await withDiscardingTaskGroup { work in
                    var failures = 0
                    while !shuttingDown.withLock({ $0 }) && !Task.isCancelled {
                        let (free, waiting) = lanes.withLock { ($0.free, $0.waiting) }
                        let sources = AccountLanes.claimable(waiting: waiting, sourceAccounts: sourceAccounts)
                        var claimed: [IntentRecord] = []
                        if free > 0 && sources != .only([]) {
                            let started = ContinuousClock.now
                            do {
                                claimed = try await store.claimDue(
                                    owner: owner, limit: free, lease: settings.lease, sources: sources)
                                failures = 0
                                PipelineMetrics.stage(.claim, since: started)
                            } catch {
                                failures += 1
                                logger.warning(
                                    "cannot claim work (database unreachable?); backing off",
                                    metadata: ["error": "\(String(reflecting: error))", "failures": "\(failures)"])
                                try? await Task.sleep(for: .milliseconds(min(250 * (1 << min(failures, 5)), 5000)))
                                continue
                            }
                        }
                        for intent in claimed {
                            let account = sourceAccounts[intent.source]
                            guard lanes.withLock({ $0.start(intent.id, account: account) }) else { continue }
                            work.addTask { await self.process(intent, account: account) }
                        }
                        // A full batch means more may be due: look again at once while workers are free.
                        if claimed.count == free && free > 0 && lanes.withLock({ $0.free }) > 0 {
                            continue
                        }
                        await signal.wait(timeout: settings.pollInterval)
                    }
                    let remaining = lanes.withLock { $0.total }
                    if remaining > 0 {
                        logger.info("draining: waiting for in-flight bookings", metadata: ["in_flight": "\(remaining)"])
                        let grace = settings.shutdownGrace
                        let drained = await withTaskGroup(of: Bool.self) { race in
                            race.addTask {
                                while self.lanes.withLock({ $0.total }) > 0 && !Task.isCancelled {
                                    try? await Task.sleep(for: .milliseconds(20))
                                }
                                return true
                            }
                            race.addTask {
                                try? await Task.sleep(for: grace)
                                return false
                            }
                            let first = await race.next() ?? false
                            race.cancelAll()
                            return first
                        }
                        if !drained {
                            logger.warning(
                                "grace period over: cancelling in-flight bookings; their leases will expire",
                                metadata: ["in_flight": "\(lanes.withLock { $0.total })"])
                            work.cancelAll()
                        }
                    }
                }
            } onGracefulShutdown: {
                shuttingDown.withLock { $0 = true }
                self.signal.signal()
            }
            helpers.cancelAll()
        }
        logger.info("booking pipeline stopped")
    }

    /// Wakes the claim loop on NOTIFY from any process; reconnects after database trouble.
    private func listen() async {
        var failures = 0
        while !Task.isCancelled {
            let listening = LockedValue(false)
            do {
                try await database.withConnection { connection in
                    try await connection.listen(on: IntentStore.notifyChannel) { notifications in
                        listening.withLock { $0 = true }
                        for try await _ in notifications { self.signal.signal() }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                if listening.withLock({ $0 }) { failures = 0 }
                failures += 1
                logger.debug(
                    "LISTEN interrupted; polling until it is back", metadata: ["error": "\(String(reflecting: error))"])
                try? await Task.sleep(for: .milliseconds(min(500 * failures, 5000)))
            }
        }
    }

    /// Publishes queue depth and the age of the oldest due intent every few seconds.
    private func reportQueue() async {
        let depth = Gauge(label: "bookingbridge_intents_due")
        let oldest = Gauge(label: "bookingbridge_intents_oldest_due_seconds")
        while !Task.isCancelled {
            do {
                let due = try await QueueGauges.dueIntents(database: database, logger: logger)
                depth.record(due.count)
                oldest.record(due.oldestSeconds)
            } catch {}
            try? await Task.sleep(for: .seconds(5))
        }
    }
}
