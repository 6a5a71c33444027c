/// One shared call budget per HubSpot account: every bridge process asks it before each call and reports each
/// call's end, so that together they stay under HubSpot's rolling-window and daily limits.
///
/// A call occupies the window from before it is sent until `window` after its answer (HubSpot counts a request on
/// arrival, which lies somewhere in between), so clock skew and slow sends cannot push more than the limit into
/// any of HubSpot's windows.
public protocol HubSpotRateBudget: Sendable {
    /// Takes one call from `account`'s budget, or says how long to wait before asking again.
    func take(account: String, limits: HubSpotRateLimits) async throws -> HubSpotRateDecision
    /// Reports that a granted call ended (or was never sent), with what HubSpot's answer said about the budget.
    func finish(
        _ permit: HubSpotRatePermit, observation: HubSpotRateObservation, limits: HubSpotRateLimits) async throws
}

/// The limits a budget enforces for one account.
public struct HubSpotRateLimits: Sendable, Equatable {
    /// Calls per rolling window (HubSpot Free/Starter: 100 per 10 s).
    public var perWindow: Int
    /// Length of the rolling window.
    public var windowMillis: Int64
    /// Calls per day (UTC).
    public var daily: Int64
    /// Longest a call can take (the request timeout): an unfinished call counts this long plus a window, so a
    /// process that dies mid-call does not hold the budget forever.
    public var maxCallMillis: Int64
    /// Extra time each call occupies the window, for clock-rate differences and timestamp granularity.
    public var safetyMarginMillis: Int64

    public init(
        perWindow: Int = 100, windowMillis: Int64 = 10_000, daily: Int64 = 250_000, maxCallMillis: Int64 = 20_000,
        safetyMarginMillis: Int64 = 100
    ) {
        self.perWindow = perWindow
        self.windowMillis = windowMillis
        self.daily = daily
        self.maxCallMillis = maxCallMillis
        self.safetyMarginMillis = safetyMarginMillis
    }

    /// The limits that `settings` describe.
    public init(settings: HubSpotSettings) {
        self.init(
            perWindow: settings.rateLimitPer10s, daily: Int64(settings.dailyLimit),
            maxCallMillis: Int64((settings.requestTimeoutSeconds * 1000).rounded(.up)))
    }
}

/// The answer of `take`.
public enum HubSpotRateDecision: Sendable, Equatable {
    /// Go ahead; report the end with `finish`.
    case granted(HubSpotRatePermit)
    /// No call is free now; ask again after `wait`. `policy` says which limit is exhausted.
    case wait(milliseconds: Int64, policy: HubSpotRatePolicy)
}

/// One granted call.
public struct HubSpotRatePermit: Sendable, Equatable {
    public var account: String
    public var id: Int64
    /// Calls still free in the window after this one.
    public var remaining: Int

    public init(account: String, id: Int64, remaining: Int) {
        self.account = account
        self.id = id
        self.remaining = remaining
    }
}

/// What one answer told about the account's budget; built by `HubSpotRateObservation.init(...)` (pure).
public struct HubSpotRateObservation: Sendable, Equatable {
    /// False when the request certainly never left this process: the call then gives its slot back.
    public var sent: Bool
    /// `X-HubSpot-RateLimit-Remaining`.
    public var remaining: Int?
    /// `X-HubSpot-RateLimit-Interval-Milliseconds`.
    public var intervalMillis: Int64?
    /// Pause the whole account this long (a 429, or the daily allowance used up).
    public var pauseMillis: Int64?
    public var pausePolicy: HubSpotRatePolicy?

    public init(
        sent: Bool = true, remaining: Int? = nil, intervalMillis: Int64? = nil, pauseMillis: Int64? = nil,
        pausePolicy: HubSpotRatePolicy? = nil
    ) {
        self.sent = sent
        self.remaining = remaining
        self.intervalMillis = intervalMillis
        self.pauseMillis = pauseMillis
        self.pausePolicy = pausePolicy
    }

    /// An answer that never came; `sent` tells whether the request may have reached HubSpot.
    public static func noAnswer(sent: Bool) -> HubSpotRateObservation { .init(sent: sent) }
}
