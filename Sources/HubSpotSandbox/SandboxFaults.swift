/// Faults the sandbox injects into HubSpot API answers. Also the JSON body of `POST /__sandbox/faults`, where every
/// key is optional and a missing key takes its default.
public struct SandboxFaults: Codable, Sendable, Equatable {
    /// Delay added before every HubSpot API answer.
    public var latencyMs: Int = 0
    /// Share (0...1) of HubSpot API answers replaced by `failStatus`; the replaced call does nothing.
    public var failRate: Double = 0
    /// Status of injected failures: one of ``allowedFailStatuses``.
    public var failStatus: Int = 503
    /// Body of injected 5xx answers (`failStatus` and `afterBookStatus`): ``FailBody/json``, HubSpot's error body,
    /// or ``FailBody/html``, the HTML page HubSpot's edge (Cloudflare) sends instead.
    public var failBody: FailBody = .json
    /// `Retry-After` (seconds) of injected 423 and 477 answers.
    public var retryAfterSeconds: Int = 2
    /// Share (0...1) of successful `/book` calls that book, then close the connection without answering.
    public var dropAfterBookRate: Double = 0
    /// When set, a share (``afterBookRate``) of successful `/book` calls book, then answer this status instead of
    /// 200: the outcome HubSpot's CDN hides when the origin was slow (524) or a proxy failed (502).
    public var afterBookStatus: Int?
    /// Share (0...1) of successful `/book` calls answered with ``afterBookStatus``; 1 when not given.
    public var afterBookRate: Double = 1
    /// Share (0...1) of successful `/book` calls answered with `isOffline: false` and an empty `calendarEventId`
    /// (no calendar event exists, although the rep has a calendar).
    public var emptyCalendarEventRate: Double = 0
    /// When set, OAuth access tokens live this many seconds from their issue, those issued earlier included (so
    /// a token the caller still holds can expire early); `expires_in` of new tokens says the same.
    public var tokenLifetimeSeconds: Int?

    /// The body of injected 5xx answers.
    public enum FailBody: String, Codable, Sendable, Equatable {
        case json, html
    }

    /// No faults.
    public init() {}

    /// Statuses that ``failStatus`` may take: HubSpot's 5xx and the Cloudflare statuses of the contract's error
    /// table, 429, 423 (locked) and 477 (migration in progress).
    public static let allowedFailStatuses: Set<Int> = [500, 502, 503, 504, 521, 523, 524, 429, 423, 477]
    /// Statuses that ``afterBookStatus`` may take: answers that can come after the origin booked.
    public static let allowedAfterBookStatuses: Set<Int> = [500, 502, 503, 504, 524]

    /// Why these faults cannot be used, or `nil` when they can.
    public var validationProblem: String? {
        if self.latencyMs < 0 || self.latencyMs > 600_000 { return "latencyMs must be between 0 and 600000" }
        for (name, rate) in [
            ("failRate", self.failRate), ("dropAfterBookRate", self.dropAfterBookRate),
            ("afterBookRate", self.afterBookRate), ("emptyCalendarEventRate", self.emptyCalendarEventRate),
        ] where !(0...1).contains(rate) {
            return "\(name) must be between 0 and 1"
        }
        if !Self.allowedFailStatuses.contains(self.failStatus) {
            return "failStatus must be one of \(Self.list(Self.allowedFailStatuses))"
        }
        if let status = self.afterBookStatus, !Self.allowedAfterBookStatuses.contains(status) {
            return "afterBookStatus must be one of \(Self.list(Self.allowedAfterBookStatuses))"
        }
        if !(0...86_400).contains(self.retryAfterSeconds) { return "retryAfterSeconds must be between 0 and 86400" }
        if let lifetime = self.tokenLifetimeSeconds, !(1...86_400).contains(lifetime) {
            return "tokenLifetimeSeconds must be between 1 and 86400"
        }
        return nil
    }

    static func list(_ statuses: Set<Int>) -> String {
        statuses.sorted().map(String.init).joined(separator: ", ")
    }

    private enum CodingKeys: String, CodingKey {
        case latencyMs, failRate, failStatus, failBody, retryAfterSeconds, dropAfterBookRate, afterBookStatus
        case afterBookRate, emptyCalendarEventRate, tokenLifetimeSeconds
    }

    /// Decodes faults from JSON in which every key is optional.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = SandboxFaults()
        self.latencyMs = try container.decodeIfPresent(Int.self, forKey: .latencyMs) ?? defaults.latencyMs
        self.failRate = try container.decodeIfPresent(Double.self, forKey: .failRate) ?? defaults.failRate
        self.failStatus = try container.decodeIfPresent(Int.self, forKey: .failStatus) ?? defaults.failStatus
        self.failBody = try container.decodeIfPresent(FailBody.self, forKey: .failBody) ?? defaults.failBody
        self.retryAfterSeconds =
            try container.decodeIfPresent(Int.self, forKey: .retryAfterSeconds) ?? defaults.retryAfterSeconds
        self.dropAfterBookRate =
            try container.decodeIfPresent(Double.self, forKey: .dropAfterBookRate) ?? defaults.dropAfterBookRate
        self.afterBookStatus = try container.decodeIfPresent(Int.self, forKey: .afterBookStatus)
        self.afterBookRate = try container.decodeIfPresent(Double.self, forKey: .afterBookRate) ?? 1
        self.emptyCalendarEventRate =
            try container.decodeIfPresent(Double.self, forKey: .emptyCalendarEventRate) ?? 0
        self.tokenLifetimeSeconds = try container.decodeIfPresent(Int.self, forKey: .tokenLifetimeSeconds)
    }

    /// Encodes every key, the unset optional ones as `null`, so `GET /__sandbox/faults` shows them all.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.latencyMs, forKey: .latencyMs)
        try container.encode(self.failRate, forKey: .failRate)
        try container.encode(self.failStatus, forKey: .failStatus)
        try container.encode(self.failBody, forKey: .failBody)
        try container.encode(self.retryAfterSeconds, forKey: .retryAfterSeconds)
        try container.encode(self.dropAfterBookRate, forKey: .dropAfterBookRate)
        try container.encode(self.afterBookStatus, forKey: .afterBookStatus)
        try container.encode(self.afterBookRate, forKey: .afterBookRate)
        try container.encode(self.emptyCalendarEventRate, forKey: .emptyCalendarEventRate)
        try container.encode(self.tokenLifetimeSeconds, forKey: .tokenLifetimeSeconds)
    }
}
