/// A token bucket that allows `perMinute` requests a minute, in bursts of up to `perMinute`.
struct TokenBucket: Sendable, Equatable {
    let capacity: Double
    /// Tokens added per second.
    let rate: Double
    private(set) var tokens: Double
    private(set) var updated: Double

    init(perMinute: Int, now: Double) {
        capacity = Double(max(perMinute, 1))
        rate = capacity / 60
        tokens = capacity
        updated = now
    }

    /// Seconds until a token is available (0 when one is available now); does not take it.
    mutating func wait(now: Double) -> Double {
        refill(now: now)
        return tokens >= 1 ? 0 : (1 - tokens) / rate
    }

    mutating func take() { tokens -= 1 }

    /// Whether the bucket would be full by `now`, so forgetting it changes nothing.
    func isFull(at now: Double) -> Bool { tokens + (now - updated) * rate >= capacity }

    private mutating func refill(now: Double) {
        if now > updated {
            tokens = min(capacity, tokens + (now - updated) * rate)
            updated = now
        }
    }
}
