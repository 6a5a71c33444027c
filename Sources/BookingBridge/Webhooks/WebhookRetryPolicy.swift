import Foundation

/// Decides what happens after an attempt: pure, so every rule has a unit test.
///
/// `schedule[k]` is the delay before attempt `k + 1`; the first attempt is made as soon as the event is committed
/// (`schedule[0]` is normally 0), so a delivery gets `schedule.count` attempts. Delays get ±`jitter` (a fraction)
/// so that many deliveries failing together do not retry together.
public struct WebhookRetryPolicy: Sendable, Equatable {
    public var schedule: [Duration]
    public var jitter: Double
    /// The longest `Retry-After` honoured; a longer one is cut to this.
    public var maxRetryAfter: Duration

    public init(schedule: [Duration], jitter: Double = 0.1, maxRetryAfter: Duration = .seconds(24 * 3600)) {
        self.schedule = schedule.isEmpty ? [.zero] : schedule
        self.jitter = max(0, min(1, jitter))
        self.maxRetryAfter = maxRetryAfter
    }

    public enum Decision: Sendable, Equatable {
        /// A 2xx: done.
        case delivered
        /// Try again after this delay.
        case retry(after: Duration)
        /// Out of attempts: the delivery is `failed` (and can be redelivered).
        case failed
        /// 410 Gone: the subscription is disabled; the delivery waits for it to be enabled again.
        case gone
    }

    /// The decision after attempt number `attempt` (1-based) produced `result`. `random` is in `0..<1` (the
    /// jitter), read only for a retry: a success costs no random number.
    public func decide(
        _ result: WebhookAttemptResult, attempt: Int, now: Date, random: @autoclosure () -> Double
    ) -> Decision {
        var floor: Duration = .zero
        if case .response(let status, let retryAfter) = result {
            if (200..<300).contains(status) { return .delivered }
            if status == 410 { return .gone }
            if status == 429 || status == 503, let retryAfter,
                let wait = Self.parseRetryAfter(retryAfter, now: now)
            {
                floor = min(wait, maxRetryAfter)
            }
        }
        guard attempt < schedule.count else { return .failed }
        return .retry(after: max(floor, jittered(schedule[max(attempt, 0)], random: random())))
    }

    /// `delay` moved by up to ±`jitter` of itself; `random` in `0..<1`.
    public func jittered(_ delay: Duration, random: Double) -> Duration {
        guard delay > .zero, jitter > 0 else { return delay }
        let factor = 1 + jitter * (2 * random - 1)
        return .milliseconds(Int64((Double(delay.milliseconds) * factor).rounded()))
    }

    /// Reads `Retry-After`: delay seconds (`"120"`) or an HTTP date; `nil` when unreadable.
    public static func parseRetryAfter(_ value: String, now: Date) -> Duration? {
        let text = value.trimmingWhitespace()
        if let seconds = Int64(text) { return seconds >= 0 ? .seconds(seconds) : nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: text) else { return nil }
        let interval = max(0, date.timeIntervalSince(now))
        return .milliseconds(Int64((interval * 1000).rounded()))
    }
}
