import Foundation

/// A token bucket for a per-subscription rate: `rate` tokens a second, at most `rate` saved up.
struct RateBucket: Sendable, Equatable {
    var rate: Int
    var tokens: Double
    var updated: ContinuousClock.Instant

    init(rate: Int, now: ContinuousClock.Instant) {
        self.rate = rate
        self.tokens = Double(rate)
        self.updated = now
    }

    mutating func refill(now: ContinuousClock.Instant) {
        let elapsed = (now - updated).seconds
        guard elapsed > 0 else { return }
        tokens = min(Double(rate), tokens + elapsed * Double(rate))
        updated = now
    }
}
