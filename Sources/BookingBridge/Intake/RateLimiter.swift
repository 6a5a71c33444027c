import Synchronization

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

/// Per-source and per-client-address request limits, kept in this process's memory (each bridge process limits on
/// its own). A lock rather than an actor: every intake request passes here, and a hop would cost more than the work.
final class IntakeRateLimiter: Sendable {
    /// Above this many tracked client addresses, idle ones are forgotten.
    static let pruneThreshold = 10_000

    private struct State {
        var sources: [String: TokenBucket] = [:]
        var clients: [String: TokenBucket] = [:]
        var lastPrune: Double = 0
    }

    private let clientPerMinute: Int
    private let state = Mutex(State())
    private let start = ContinuousClock.now

    init(clientPerMinute: Int) {
        self.clientPerMinute = clientPerMinute
    }

    /// Takes one request from both the source's and the client's allowance, or neither; returns the whole seconds
    /// to wait when either is exhausted. A client without an address (a Unix socket, tests) has no client limit.
    func admit(source: String, sourcePerMinute: Int, client: String?, now: Double? = nil) -> Int? {
        let now = now ?? (ContinuousClock.now - start).seconds
        let clientPerMinute = clientPerMinute
        return state.withLock { state in
            var sourceBucket = state.sources[source] ?? TokenBucket(perMinute: sourcePerMinute, now: now)
            var wait = sourceBucket.wait(now: now)
            var clientBucket = client.map { state.clients[$0] ?? TokenBucket(perMinute: clientPerMinute, now: now) }
            if var bucket = clientBucket {
                wait = max(wait, bucket.wait(now: now))
                clientBucket = bucket
            }
            if wait > 0 {
                state.sources[source] = sourceBucket
                if let client, let clientBucket { state.clients[client] = clientBucket }
                return max(1, Int(wait.rounded(.up)))
            }
            sourceBucket.take()
            state.sources[source] = sourceBucket
            if let client, var bucket = clientBucket {
                bucket.take()
                state.clients[client] = bucket
                if state.clients.count > Self.pruneThreshold, now - state.lastPrune > 10 {
                    state.lastPrune = now
                    state.clients = state.clients.filter { !$0.value.isFull(at: now) }
                }
            }
            return nil
        }
    }
}
