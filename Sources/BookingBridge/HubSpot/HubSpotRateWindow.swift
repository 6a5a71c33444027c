/// The budget decision for one account as a value type: the rule that `hubspot_rate_take` and
/// `hubspot_rate_finish` (sql/002_hubspot_rate_budget.sql) apply in PostgreSQL, here for the in-process budget
/// and for unit tests. Times are epoch milliseconds.
///
/// Rules, in order, for `take` at `now`:
/// 1. While the account is paused (a 429), wait until the pause ends.
/// 2. When the day's (UTC) calls reached `daily`, wait until the next midnight UTC.
/// 3. Calls still counting (`countsUntil > now`) are live; the limit is `perWindow`, lowered by the calls
///    HubSpot reported beyond ours (see `finish`) until that report's interval ends. When live calls reach the
///    limit, wait until the earliest moment one could stop counting.
/// 4. Otherwise grant: the call counts until `maxCall + window` from now while in flight, and until `window` after
///    its answer once finished.
public struct HubSpotRateWindow: Sendable, Equatable {
    struct Call: Sendable, Equatable {
        var id: Int64
        var takenAt: Int64
        var finishedAt: Int64?
        var countsUntil: Int64
    }

    var calls: [Call] = []
    var nextID: Int64 = 1
    var pausedUntil: Int64?
    var pausePolicy: HubSpotRatePolicy?
    var dayNumber: Int64?
    var dayCount: Int64 = 0
    var externalCalls = 0
    var externalUntil: Int64?
    var reportedWindowMillis: Int64?

    static let dayMillis: Int64 = 86_400_000
    /// The shortest wait `take` returns, so that callers never spin.
    public static let minimumWaitMillis: Int64 = 10

    public init() {}

    /// Calls currently counting against the window.
    public func liveCount(now: Int64) -> Int { calls.filter { $0.countsUntil > now }.count }

    func window(_ limits: HubSpotRateLimits) -> Int64 {
        max(limits.windowMillis, reportedWindowMillis ?? 0) + limits.safetyMarginMillis
    }

    /// Takes one call at `now`, or says how long to wait.
    public mutating func take(now: Int64, limits: HubSpotRateLimits, account: String = "") -> HubSpotRateDecision {
        if let pausedUntil, pausedUntil > now {
            return .wait(milliseconds: pausedUntil - now, policy: pausePolicy ?? .tenSecondlyRolling)
        }
        let today = now / Self.dayMillis
        if dayNumber != today {
            dayNumber = today
            dayCount = 0
        }
        if dayCount >= limits.daily {
            return .wait(milliseconds: (today + 1) * Self.dayMillis - now, policy: .daily)
        }
        let window = window(limits)
        // Calls are kept a minute after they stop counting (`finish` looks a second back).
        calls.removeAll { $0.countsUntil <= now - 60_000 }
        let live = calls.filter { $0.countsUntil > now }
        let external = (externalUntil ?? 0) > now ? externalCalls : 0
        let limit = limits.perWindow - external
        if live.count >= max(limit, 0) {
            // Optimistic: an unfinished call cannot stop counting before `window` after it was taken.
            let releases = live.map { $0.finishedAt == nil ? $0.takenAt + window : $0.countsUntil }.sorted()
            var until = limit > 0 ? releases[live.count - limit] : Int64.max
            if external > 0, let externalUntil { until = min(until, externalUntil) }
            return .wait(milliseconds: max(until - now, Self.minimumWaitMillis), policy: .tenSecondlyRolling)
        }
        let id = nextID
        nextID += 1
        calls.append(Call(id: id, takenAt: now, countsUntil: now + limits.maxCallMillis + window))
        dayCount += 1
        return .granted(HubSpotRatePermit(account: account, id: id, remaining: limit - live.count - 1))
    }

    /// Ends call `id` at `now` and applies what its answer said.
    ///
    /// - A call never sent gives its slot back.
    /// - `remaining` lower than `perWindow - live` means HubSpot counts calls this budget does not know (another
    ///   app on the account, or a lower limit than configured): the difference lowers the limit for the reported
    ///   interval. Calls that stopped counting within the last second still count, for the delay between
    ///   HubSpot's count and this report.
    /// - A pause stops every call of the account until it ends (a later, longer pause wins).
    public mutating func finish(id: Int64, now: Int64, observation: HubSpotRateObservation, limits: HubSpotRateLimits) {
        if let interval = observation.intervalMillis, interval > limits.windowMillis {
            reportedWindowMillis = interval
        }
        if let index = calls.firstIndex(where: { $0.id == id }) {
            if observation.sent {
                calls[index].finishedAt = now
                calls[index].countsUntil = now + window(limits)
            } else {
                calls.remove(at: index)
            }
        }
        if let remaining = observation.remaining {
            // HubSpot counted a moment ago: calls that stopped counting within the last second still count here.
            let expected = limits.perWindow - liveCount(now: now - 1_000)
            let external = expected - remaining
            if external > 0 {
                let active = (externalUntil ?? 0) > now ? externalCalls : 0
                externalCalls = max(active, external)
                externalUntil = now + (observation.intervalMillis ?? limits.windowMillis)
            }
        }
        if let pause = observation.pauseMillis {
            let until = now + pause
            if until > (pausedUntil ?? 0) {
                pausedUntil = until
                pausePolicy = observation.pausePolicy ?? .tenSecondlyRolling
            }
        }
    }
}
