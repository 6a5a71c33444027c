/// Per-client-address and per-source request limits, kept in this process's memory (each bridge process limits on
/// its own). The client limit counts every post; the source limit only authenticated, allowed ones. A lock rather than an actor: every intake request passes here, and a hop would cost more than the work.
final class IntakeRateLimiter: Sendable {
    /// Above this many tracked client addresses, idle ones are forgotten.
    static let pruneThreshold = 10_000

    private struct State {
        var sources: [String: TokenBucket] = [:]
        var clients: [String: TokenBucket] = [:]
        var lastPrune: Double = 0
    }

    private let clientPerMinute: Int
    private let state = LockedValue(State())
    private let start = ContinuousClock.now

    init(clientPerMinute: Int) {
        self.clientPerMinute = clientPerMinute
    }

    /// Takes one request from the client address's allowance, or returns the whole seconds to wait when it is
    /// exhausted. Asked before anything else, so that one address cannot flood a source with bad posts. A client
    /// without an address (a Unix socket, tests) has no client limit.
    func admit(client: String?, now: Double? = nil) -> Int? {
        guard let client else { return nil }
        let now = now ?? self.now
        let clientPerMinute = clientPerMinute
        return state.withLock { state in
            var bucket = state.clients[client] ?? TokenBucket(perMinute: clientPerMinute, now: now)
            let wait = bucket.wait(now: now)
            if wait == 0 { bucket.take() }
            state.clients[client] = bucket
            if state.clients.count > Self.pruneThreshold, now - state.lastPrune > 10 {
                state.lastPrune = now
                state.clients = state.clients.filter { !$0.value.isFull(at: now) }
            }
            return wait > 0 ? max(1, Int(wait.rounded(.up))) : nil
        }
    }

    /// Takes one request from the source's allowance, or returns the whole seconds to wait when it is exhausted.
    ///
    /// Asked only for a post that passed the source's authentication and origin checks: refused attempts must not
    /// use up the budget of the real sender, or anyone could lock a source out by posting junk to it.
    func admit(source: String, sourcePerMinute: Int, now: Double? = nil) -> Int? {
        let now = now ?? self.now
        return state.withLock { state in
            var bucket = state.sources[source] ?? TokenBucket(perMinute: sourcePerMinute, now: now)
            let wait = bucket.wait(now: now)
            if wait == 0 { bucket.take() }
            state.sources[source] = bucket
            return wait > 0 ? max(1, Int(wait.rounded(.up))) : nil
        }
    }

    /// Seconds since this limiter was made.
    private var now: Double { (ContinuousClock.now - start).seconds }
}
