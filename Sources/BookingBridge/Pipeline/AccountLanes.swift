import Foundation

/// The intents one process is booking, by HubSpot account, and the shared worker slots they take: the claim
/// loop's decision as a value (`BookingPipeline` keeps one behind a lock).
///
/// What holds, and why:
/// - While a call of an account waits for that account's rate budget (its window spent, or HubSpot's 429
///   pause), that account's workers take no shared slot and its intents are not claimed. So one account's wait
///   never makes another account's due intents wait for a worker, and the waiting account's intents keep their
///   place in the queue: nothing is rescheduled, no attempt is counted, leases are as they were. All of the
///   account's workers are freed, not only the waiting one: the others wait on the same budget, or on a read
///   the waiting one shares with them.
/// - An account's intents are claimed only while none of its calls waits, and then its workers count, so no
///   account runs more than `workers` intents at once; together they run at most `workers` plus the workers of
///   accounts that wait (which sleep, holding no connection).
/// - An intent this process is already booking is never started a second time (its lease may have run out
///   during a long wait and the claim handed it back to the same owner).
struct AccountLanes: Sendable, Equatable {
    /// A HubSpot account by name; `nil` is the default account.
    typealias Account = String?

    /// Shared worker slots (`pipeline.workers`).
    let workers: Int
    private(set) var running: [Account: Int] = [:]
    private(set) var waitingCalls: [Account: Int] = [:]
    private(set) var intents: Set<UUID> = []

    init(workers: Int) {
        self.workers = workers
    }

    /// Slots free for claiming.
    var free: Int { max(workers - counted, 0) }

    /// Workers that hold a shared slot: those of accounts none of whose calls waits.
    var counted: Int {
        running.reduce(0) { sum, entry in waitingCalls[entry.key, default: 0] > 0 ? sum : sum + entry.value }
    }

    /// Every intent being booked, waiting or not (what a drain waits for).
    var total: Int { intents.count }

    /// Accounts whose intents are not claimed now.
    var waiting: Set<Account> { Set(waitingCalls.keys) }

    /// Starts `intent` for `account`; false when this process is booking it already (leave it to that worker).
    mutating func start(_ intent: UUID, account: Account) -> Bool {
        guard intents.insert(intent).inserted else { return false }
        running[account, default: 0] += 1
        return true
    }

    /// `intent` is done (finished, rescheduled or abandoned).
    mutating func finish(_ intent: UUID, account: Account) {
        guard intents.remove(intent) != nil else { return }
        running[account, default: 0] -= 1
        if running[account] == 0 { running[account] = nil }
    }

    /// A call of `account` started waiting for its budget; true when it is the account's first waiting call.
    mutating func waitBegan(_ account: Account) -> Bool {
        waitingCalls[account, default: 0] += 1
        return waitingCalls[account] == 1
    }

    /// A waiting call of `account` stopped waiting; true when it was the account's last.
    mutating func waitEnded(_ account: Account) -> Bool {
        guard let calls = waitingCalls[account] else { return false }
        waitingCalls[account] = calls > 1 ? calls - 1 : nil
        return calls == 1
    }

    /// The sources whose due intents may be claimed while the `waiting` accounts wait, given the account each
    /// named source books with (`sourceAccounts`; a source not in it books with the default account).
    static func claimable(waiting: Set<Account>, sourceAccounts: [String: String]) -> IntentStore.SourceFilter {
        if waiting.isEmpty { return .all }
        if waiting.contains(nil) {
            // The default account takes every source not named here, known or not: name the ones that may go.
            return .only(sourceAccounts.filter { !waiting.contains($0.value) }.keys.sorted())
        }
        return .except(sourceAccounts.filter { waiting.contains($0.value) }.keys.sorted())
    }
}
