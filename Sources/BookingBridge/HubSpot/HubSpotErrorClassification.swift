/// What the caller should do about a failed HubSpot call.
public enum HubSpotErrorClassification: Sendable, Equatable, Hashable {
    /// Never retry as-is: the request itself is wrong (400s, 403, 404, a 401 that survived a token refresh).
    case permanent
    /// Nothing happened at HubSpot; retry with backoff, not before `after` when given (423 and 477: at least 2 s,
    /// and `Retry-After` when longer).
    case retryable(after: Duration?)
    /// HubSpot (or the shared budget) refused for rate; retry after the policy's window (`retryAfter` when known).
    case rateLimited(policy: HubSpotRatePolicy, retryAfter: Duration?)
    /// 401 and the token can still be refreshed: refresh, then retry once. The client does this itself, so
    /// callers normally never see it.
    case unauthorized
    /// The request may have reached HubSpot but its outcome was not seen. For `/book` the meeting may exist:
    /// reconcile (re-read availability and bookings) before booking again.
    case uncertain
}
