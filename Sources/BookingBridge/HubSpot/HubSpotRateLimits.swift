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
