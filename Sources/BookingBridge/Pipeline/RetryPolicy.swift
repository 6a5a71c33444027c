import Foundation

/// When to try again after a retryable failure: exponential backoff with full jitter, and the limits after which
/// an intent fails for good.
public struct RetryPolicy: Sendable, Equatable {
    public var base: Duration
    public var maximum: Duration
    public var maxAttempts: Int
    public var maxAge: Duration

    public init(base: Duration, maximum: Duration, maxAttempts: Int, maxAge: Duration) {
        self.base = base
        self.maximum = maximum
        self.maxAttempts = maxAttempts
        self.maxAge = maxAge
    }

    public init(_ settings: PipelineSettings) {
        self.init(
            base: settings.baseBackoff, maximum: settings.maxBackoff, maxAttempts: settings.maxAttempts,
            maxAge: settings.maxAge)
    }

    /// The cap of the delay after `attempt` failed attempts (1-based): `base * 2^(attempt-1)`, at most `maximum`.
    public func ceiling(afterAttempt attempt: Int) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let ms = min(Double(base.milliseconds) * pow(2, Double(exponent)), Double(maximum.milliseconds))
        return .milliseconds(Int64(ms))
    }

    /// A delay drawn uniformly from zero to the ceiling ("full jitter"), so that many failing intents spread out.
    public func delay(afterAttempt attempt: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let ceiling = ceiling(afterAttempt: attempt).milliseconds
        guard ceiling > 0 else { return .zero }
        return .milliseconds(Int64.random(in: 0...ceiling, using: &generator))
    }

    public func delay(afterAttempt attempt: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(afterAttempt: attempt, using: &generator)
    }

    /// True when no further attempt may be made: too many attempts, or the intent is too old.
    public func isExhausted(attempts: Int, createdAt: Date, now: Date) -> Bool {
        attempts >= maxAttempts || now.timeIntervalSince(createdAt) >= maxAge.seconds
    }
}
