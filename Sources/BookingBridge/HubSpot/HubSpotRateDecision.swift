/// The answer of `take`.
public enum HubSpotRateDecision: Sendable, Equatable {
    /// Go ahead; report the end with `finish`.
    case granted(HubSpotRatePermit)
    /// No call is free now; ask again after `wait`. `policy` says which limit is exhausted.
    case wait(milliseconds: Int64, policy: HubSpotRatePolicy)
}
