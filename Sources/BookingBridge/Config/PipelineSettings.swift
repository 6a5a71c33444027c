/// How the booking pipeline runs: concurrency, retries and timing.
public struct PipelineSettings: Sendable, Equatable {
    /// Intents booked at the same time by one process.
    public var workers: Int = 8
    /// HubSpot attempts before an intent fails for good.
    public var maxAttempts: Int = 10
    /// Age after which an intent that still has not booked fails for good.
    public var maxAge: Duration = .seconds(24 * 3600)
    /// How long a claim lasts; a worker that dies loses its claim after this.
    public var lease: Duration = .seconds(60)
    /// How often idle workers look for due work when no wake-up arrives.
    public var pollInterval: Duration = .seconds(1)
    /// First retry delay; doubles each attempt (with full jitter) up to `maxBackoff`.
    public var baseBackoff: Duration = .seconds(2)
    public var maxBackoff: Duration = .seconds(600)
    /// How long booking info for a link is cached.
    public var linkCacheTTL: Duration = .seconds(60)
    /// After a booking call whose answer was not seen, how long to wait before reconciling: a late call must not
    /// land after reconciliation found the slot free (that would book twice on a round-robin link).
    public var reconcileDelay: Duration = .seconds(60)
    /// How long a draining process lets in-flight calls finish after SIGTERM.
    public var shutdownGrace: Duration = .seconds(25)
    /// Do not use LISTEN/NOTIFY (for transaction-mode connection poolers): poll only.
    public var pollOnly: Bool = false

    public init() {}
}

extension PipelineSettings: Decodable {
    enum CodingKeys: String, CodingKey {
        case workers, maxAttempts, maxAge, lease, pollInterval, baseBackoff, maxBackoff, linkCacheTTL, shutdownGrace
        case reconcileDelay
        case pollOnly
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var s = PipelineSettings()
        s.workers = try c.decodeIfPresent(Int.self, forKey: .workers) ?? s.workers
        s.maxAttempts = try c.decodeIfPresent(Int.self, forKey: .maxAttempts) ?? s.maxAttempts
        s.maxAge = try c.decodeDurationIfPresent(forKey: .maxAge) ?? s.maxAge
        s.lease = try c.decodeDurationIfPresent(forKey: .lease) ?? s.lease
        s.pollInterval = try c.decodeDurationIfPresent(forKey: .pollInterval) ?? s.pollInterval
        s.baseBackoff = try c.decodeDurationIfPresent(forKey: .baseBackoff) ?? s.baseBackoff
        s.maxBackoff = try c.decodeDurationIfPresent(forKey: .maxBackoff) ?? s.maxBackoff
        s.linkCacheTTL = try c.decodeDurationIfPresent(forKey: .linkCacheTTL) ?? s.linkCacheTTL
        s.shutdownGrace = try c.decodeDurationIfPresent(forKey: .shutdownGrace) ?? s.shutdownGrace
        s.reconcileDelay = try c.decodeDurationIfPresent(forKey: .reconcileDelay) ?? s.reconcileDelay
        s.pollOnly = try c.decodeIfPresent(Bool.self, forKey: .pollOnly) ?? s.pollOnly
        guard s.workers >= 1 else {
            throw ConfigurationError(key: "pipeline.workers", expected: "at least 1", found: "\(s.workers)")
        }
        guard s.maxAttempts >= 1 else {
            throw ConfigurationError(key: "pipeline.maxAttempts", expected: "at least 1", found: "\(s.maxAttempts)")
        }
        self = s
    }
}

extension KeyedDecodingContainer {
    /// Reads `"5s"`, `"24h"` or a number of seconds.
    public func decodeDurationIfPresent(forKey key: Key) throws -> Duration? {
        if let seconds = try? decodeIfPresent(Double.self, forKey: key) {
            guard seconds >= 0 else {
                throw ConfigurationError(
                    key: key.stringValue, expected: "a duration such as \"5s\" or \"24h\"", found: "\(seconds)")
            }
            return .milliseconds(Int64(seconds * 1000))
        }
        guard let text = try decodeIfPresent(String.self, forKey: key) else { return nil }
        guard let duration = DurationText.parse(text) else {
            throw ConfigurationError(
                key: key.stringValue, expected: "a duration such as \"5s\" or \"24h\"", found: "\"\(text)\"")
        }
        return duration
    }
}
