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
