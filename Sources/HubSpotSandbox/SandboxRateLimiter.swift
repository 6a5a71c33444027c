/// HubSpot's two request limits per caller: a rolling 10-second window and a daily count (UTC days here).
///
/// A request is counted only when admitted; a rejected one neither counts nor extends the window.
struct SandboxRateLimiter: Sendable {
    static let windowMillis: Int64 = 10_000

    var limit: Int
    var dailyLimit: Int
    private var recent: [String: [Int64]] = [:]
    private var daily: [String: (day: Int64, count: Int)] = [:]

    init(limit: Int, dailyLimit: Int) {
        self.limit = limit
        self.dailyLimit = dailyLimit
    }

    enum Policy: String, Sendable {
        case tenSecondly = "TEN_SECONDLY_ROLLING"
        case daily = "DAILY"
    }

    /// The outcome of one request and the headers that go with its answer.
    struct Decision: Sendable, Equatable {
        /// The limit that rejected the request, or `nil` when it was admitted.
        var limitedBy: Policy?
        var max: Int
        var remaining: Int
        /// Daily figures; `nil` for callers without a daily limit (OAuth).
        var dailyMax: Int?
        var dailyRemaining: Int?

        /// `X-HubSpot-RateLimit-*` headers.
        var headers: [(String, String)] {
            var headers = [
                ("X-HubSpot-RateLimit-Max", String(self.max)),
                ("X-HubSpot-RateLimit-Remaining", String(self.remaining)),
                ("X-HubSpot-RateLimit-Interval-Milliseconds", String(SandboxRateLimiter.windowMillis)),
            ]
            if let dailyMax, let dailyRemaining {
                headers.append(("X-HubSpot-RateLimit-Daily", String(dailyMax)))
                headers.append(("X-HubSpot-RateLimit-Daily-Remaining", String(dailyRemaining)))
            }
            return headers
        }
    }

    /// Counts a request of `key` at `now` if both limits allow it.
    mutating func admit(key: String, hasDailyLimit: Bool, now: Int64) -> Decision {
        var window = (self.recent[key] ?? []).filter { $0 > now - Self.windowMillis }
        let today = now / 86_400_000
        var dayCount = self.daily[key].flatMap { $0.day == today ? $0.count : nil } ?? 0
        var limitedBy: Policy?
        if hasDailyLimit && dayCount >= self.dailyLimit {
            limitedBy = .daily
        } else if window.count >= self.limit {
            limitedBy = .tenSecondly
        } else {
            window.append(now)
            dayCount += 1
        }
        self.recent[key] = window
        self.daily[key] = (today, dayCount)
        return Decision(
            limitedBy: limitedBy,
            max: self.limit,
            remaining: Swift.max(0, self.limit - window.count),
            dailyMax: hasDailyLimit ? self.dailyLimit : nil,
            dailyRemaining: hasDailyLimit ? Swift.max(0, self.dailyLimit - dayCount) : nil
        )
    }
}

/// Counts the HubSpot API requests the sandbox receives, for ``SandboxRequestStats``.
struct SandboxTraffic: Sendable {
    private(set) var stats = SandboxRequestStats()
    private var recent: [Int64] = []

    /// Records one request received at `now`.
    mutating func record(now: Int64) {
        self.recent.removeAll { $0 <= now - SandboxRateLimiter.windowMillis }
        self.recent.append(now)
        self.stats.total += 1
        self.stats.maxInAnyWindow = max(self.stats.maxInAnyWindow, self.recent.count)
    }

    mutating func recordRateLimited() { self.stats.rateLimited += 1 }
    mutating func recordFaulted() { self.stats.faulted += 1 }
    mutating func recordDropped() { self.stats.dropped += 1 }
}
