import Foundation

/// HubSpot's two request limits: a rolling 10-second window per app, and a daily count shared by the account's
/// apps that have one, which resets at midnight in the account's time zone.
///
/// A request is counted only when admitted; a rejected one neither counts nor extends the window.
struct SandboxRateLimiter: Sendable {
    static let windowMillis: Int64 = 10_000

    var limit: Int
    var dailyLimit: Int
    /// The account's zone, whose local midnight ends a day.
    var timeZone: TimeZone
    private var recent: [String: [Int64]] = [:]
    private var daily: (day: Int64, count: Int) = (0, 0)

    init(limit: Int, dailyLimit: Int, timeZone: TimeZone) {
        self.limit = limit
        self.dailyLimit = dailyLimit
        self.timeZone = timeZone
    }

    init(_ configuration: SandboxConfiguration) {
        self.init(
            limit: configuration.rateLimit, dailyLimit: configuration.dailyLimit,
            timeZone: TimeZone(identifier: configuration.accountTimeZone) ?? TimeZone(identifier: "America/New_York")!)
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

    /// The account's local day number of `now` (days since 1970-01-01 in ``timeZone``).
    func day(of now: Int64) -> Int64 {
        let offset = Int64(self.timeZone.secondsFromGMT(for: SandboxSchedule.date(now))) * 1000
        let local = now + offset
        return local >= 0 ? local / 86_400_000 : (local - 86_399_999) / 86_400_000
    }

    /// Counts a request of `app` at `now` if its 10-second window and (when it has one) the account's daily
    /// allowance allow it.
    mutating func admit(app: String, hasDailyLimit: Bool, now: Int64) -> Decision {
        var window = (self.recent[app] ?? []).filter { $0 > now - Self.windowMillis }
        let today = self.day(of: now)
        if self.daily.day != today { self.daily = (today, 0) }
        var limitedBy: Policy?
        if hasDailyLimit && self.daily.count >= self.dailyLimit {
            limitedBy = .daily
        } else if window.count >= self.limit {
            limitedBy = .tenSecondly
        } else {
            window.append(now)
            if hasDailyLimit { self.daily.count += 1 }
        }
        self.recent[app] = window
        return Decision(
            limitedBy: limitedBy,
            max: self.limit,
            remaining: Swift.max(0, self.limit - window.count),
            dailyMax: hasDailyLimit ? self.dailyLimit : nil,
            dailyRemaining: hasDailyLimit ? Swift.max(0, self.dailyLimit - self.daily.count) : nil
        )
    }
}

/// Counts the HubSpot API requests the sandbox receives, for ``SandboxRequestStats``.
struct SandboxTraffic: Sendable {
    private(set) var stats = SandboxRequestStats()
    private var recent: [Int64] = []

    /// Records one request received at `now` (to `route`, when known).
    mutating func record(_ route: SandboxRoute?, now: Int64) {
        self.recent.removeAll { $0 <= now - SandboxRateLimiter.windowMillis }
        self.recent.append(now)
        self.stats.total += 1
        self.stats.maxInAnyWindow = max(self.stats.maxInAnyWindow, self.recent.count)
        switch route {
        case .book: self.stats.bookCalls += 1
        case .availabilityPage: self.stats.availabilityReads += 1
        case .bookingInfo: self.stats.bookingInfoReads += 1
        default: break
        }
    }

    mutating func recordRateLimited() { self.stats.rateLimited += 1 }
    mutating func recordFaulted() { self.stats.faulted += 1 }
    mutating func recordDropped() { self.stats.dropped += 1 }
}
