/// How an embedded or stand-alone ``HubSpotSandbox`` listens, which credentials it accepts and how it limits callers.
public struct SandboxConfiguration: Sendable {
    /// Address to bind. Use `0.0.0.0` inside a container.
    public var host: String = "127.0.0.1"
    /// Port to bind; `0` picks a free port (read it back from ``HubSpotSandbox/port``).
    public var port: Int = 8090
    /// Static bearer token with every scope (a private-app token).
    public var token: String = "sandbox-token"
    /// Static bearer token with the scheduler read scope only: `/book` answers 403 `MISSING_SCOPES`.
    public var readOnlyToken: String = "sandbox-read-only"
    /// Requests allowed per rolling 10 s, per token (all OAuth access tokens share one budget, like one account).
    public var rateLimit: Int = 100
    /// Requests allowed per UTC day, per static token (OAuth callers have no daily limit, like HubSpot).
    public var dailyLimit: Int = 250_000
    /// Faults injected from the start; change them at run time with ``HubSpotSandbox/setFaults(_:)``.
    public var faults: SandboxFaults = .init()
    /// OAuth client id accepted by `POST /oauth/2026-03/token`.
    public var oauthClientID: String = "sandbox-client-id"
    /// OAuth client secret accepted by `POST /oauth/2026-03/token`.
    public var oauthClientSecret: String = "sandbox-client-secret"
    /// The first valid refresh token; every refresh rotates it and the old one stops working.
    public var oauthRefreshToken: String = "sandbox-refresh-token"
    /// Lifetime of issued OAuth access tokens (`expires_in`); an expired one gets 401.
    public var oauthAccessTokenLifetimeSeconds: Int = 1800

    /// Defaults: port 8090, HubSpot's Free/Starter limits (100 per 10 s, 250,000 per day), no faults.
    public init() {}
}

/// Faults the sandbox injects into HubSpot API answers. Also the JSON body of `POST /__sandbox/faults`, where every
/// key is optional and a missing key takes its default.
public struct SandboxFaults: Codable, Sendable, Equatable {
    /// Delay added before every HubSpot API answer.
    public var latencyMs: Int = 0
    /// Share (0...1) of HubSpot API answers replaced by `failStatus`; the replaced call does nothing.
    public var failRate: Double = 0
    /// Status of injected failures: 500, 502, 503, 504 or 429 (also 521, 523, 524, the Cloudflare statuses of the
    /// contract's error table).
    public var failStatus: Int = 503
    /// Share (0...1) of successful `/book` calls that book, then close the connection without answering.
    public var dropAfterBookRate: Double = 0

    /// No faults.
    public init() {}

    /// Statuses that ``failStatus`` may take.
    public static let allowedFailStatuses: Set<Int> = [500, 502, 503, 504, 521, 523, 524, 429]

    /// Why these faults cannot be used, or `nil` when they can.
    public var validationProblem: String? {
        if self.latencyMs < 0 || self.latencyMs > 600_000 { return "latencyMs must be between 0 and 600000" }
        if !(0...1).contains(self.failRate) { return "failRate must be between 0 and 1" }
        if !(0...1).contains(self.dropAfterBookRate) { return "dropAfterBookRate must be between 0 and 1" }
        if !Self.allowedFailStatuses.contains(self.failStatus) {
            return "failStatus must be one of 500, 502, 503, 504, 521, 523, 524, 429"
        }
        return nil
    }

    private enum CodingKeys: String, CodingKey {
        case latencyMs, failRate, failStatus, dropAfterBookRate
    }

    /// Decodes faults from JSON in which every key is optional.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.latencyMs = try container.decodeIfPresent(Int.self, forKey: .latencyMs) ?? 0
        self.failRate = try container.decodeIfPresent(Double.self, forKey: .failRate) ?? 0
        self.failStatus = try container.decodeIfPresent(Int.self, forKey: .failStatus) ?? 503
        self.dropAfterBookRate = try container.decodeIfPresent(Double.self, forKey: .dropAfterBookRate) ?? 0
    }
}
