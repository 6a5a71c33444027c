/// The facts about one failed call, from which `classify` derives what to do. Pure data: no I/O.
public struct HubSpotFailureFacts: Sendable, Equatable {
    public var endpoint: HubSpotEndpoint
    /// HTTP status of the answer; nil when no answer was seen.
    public var status: Int?
    public var body: HubSpotErrorBody?
    /// What went wrong below HTTP, when no (complete) answer was seen.
    public var transport: HubSpotTransportFailure?
    /// False only when the request certainly never left this process (no connection, or its body was never
    /// handed to a connection).
    public var requestMayHaveBeenSent: Bool
    /// `Retry-After` of the answer, when present.
    public var retryAfter: Duration?
    /// True when a 401 can still be cured by refreshing the token (OAuth, and not already refreshed for this call).
    public var canRefreshToken: Bool

    public init(
        endpoint: HubSpotEndpoint, status: Int? = nil, body: HubSpotErrorBody? = nil,
        transport: HubSpotTransportFailure? = nil, requestMayHaveBeenSent: Bool = true, retryAfter: Duration? = nil,
        canRefreshToken: Bool = false
    ) {
        self.endpoint = endpoint
        self.status = status
        self.body = body
        self.transport = transport
        self.requestMayHaveBeenSent = requestMayHaveBeenSent
        self.retryAfter = retryAfter
        self.canRefreshToken = canRefreshToken
    }
}
