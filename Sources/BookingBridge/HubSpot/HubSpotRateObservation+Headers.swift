import Foundation

/// Reading HubSpot's rate-limit signals from an answer (pure).
extension HubSpotRateObservation {
    /// The observation for one answer.
    ///
    /// - A `TEN_SECONDLY_ROLLING` 429 pauses the account for `Retry-After` when present, else the reported
    ///   interval, else `limits.windowMillis`.
    /// - A `DAILY` 429 (or `X-HubSpot-RateLimit-Daily-Remaining: 0`) pauses it for `Retry-After` when present, else
    ///   until the next midnight UTC. HubSpot resets at midnight in the account's time zone; midnight UTC can be
    ///   early by up to a day's offset, in which case the first call after it gets another DAILY 429 and pauses
    ///   again.
    ///
    /// - Parameters:
    ///   - headers: the answer's headers, names lower-cased.
    ///   - nowMillis: now, epoch milliseconds (for the midnight computation).
    public init(
        status: Int, headers: [String: String], policyName: String?, retryAfterMillis: Int64?,
        limits: HubSpotRateLimits, nowMillis: Int64
    ) {
        self.init(sent: true)
        remaining = headers["x-hubspot-ratelimit-remaining"].flatMap { Int($0.trimmed) }
        intervalMillis = headers["x-hubspot-ratelimit-interval-milliseconds"].flatMap { Int64($0.trimmed) }
        let dailyRemaining = headers["x-hubspot-ratelimit-daily-remaining"].flatMap { Int64($0.trimmed) }
        if status == 429 {
            let policy = HubSpotRatePolicy(policyName: policyName)
            pausePolicy = policy
            switch policy {
            case .tenSecondlyRolling:
                pauseMillis = retryAfterMillis ?? intervalMillis ?? limits.windowMillis
            case .daily:
                pauseMillis = retryAfterMillis ?? Self.millisUntilMidnightUTC(nowMillis: nowMillis)
            }
        } else if dailyRemaining == 0 {
            pausePolicy = .daily
            pauseMillis = Self.millisUntilMidnightUTC(nowMillis: nowMillis)
        }
    }

    /// Milliseconds from `nowMillis` to the next midnight UTC (never zero).
    public static func millisUntilMidnightUTC(nowMillis: Int64) -> Int64 {
        let day: Int64 = 86_400_000
        let intoDay = ((nowMillis % day) + day) % day
        return day - intoDay
    }

    /// Parses `Retry-After` given in seconds (HubSpot's form) or as an HTTP date; nil when absent or unreadable.
    public static func retryAfterMillis(_ value: String?, nowMillis: Int64) -> Int64? {
        guard let value = value?.trimmed, !value.isEmpty else { return nil }
        if let seconds = Double(value), seconds >= 0 {
            return Int64((seconds * 1000).rounded(.up))
        }
        guard let date = HTTPDate.parse(value) else { return nil }
        return max(0, HubSpotTimestamp.millis(date) - nowMillis)
    }
}

extension String {
    fileprivate var trimmed: String {
        String(self.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
