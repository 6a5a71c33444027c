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
