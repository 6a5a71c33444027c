/// HubSpot's rate-limit policies (`policyName` of a 429).
public enum HubSpotRatePolicy: String, Sendable, Hashable {
    /// The rolling 10-second window.
    case tenSecondlyRolling = "TEN_SECONDLY_ROLLING"
    /// The daily allowance; HubSpot resets it at midnight (the bridge assumes midnight UTC).
    case daily = "DAILY"

    /// The policy a 429 names; an unknown or missing name is taken as the rolling window, the shorter wait.
    public init(policyName: String?) {
        self = policyName.flatMap { HubSpotRatePolicy(rawValue: $0.uppercased()) } ?? .tenSecondlyRolling
    }
}
