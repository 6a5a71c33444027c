/// A failed HubSpot call: HubSpot's error details (every one optional, as HubSpot sends them), what went wrong
/// below HTTP if no answer was seen, and the classification the pipeline acts on.
public struct HubSpotError: Error, Sendable, Equatable, CustomStringConvertible {
    public var endpoint: HubSpotEndpoint
    /// HTTP status; nil when no answer was seen.
    public var status: Int?
    public var category: String?
    public var subCategory: String?
    public var message: String
    public var correlationId: String?
    /// `TEN_SECONDLY_ROLLING` or `DAILY` on a 429.
    public var policyName: String?
    public var errors: [HubSpotErrorBody.Detail]
    /// e.g. `requiredGranularScopes` on a 403.
    public var context: [String: [String]]
    /// `Retry-After` of the answer, when present.
    public var retryAfter: Duration?
    /// Set when no (complete) answer was seen.
    public var transport: HubSpotTransportFailure?
    public var classification: HubSpotErrorClassification

    /// True when this failed `/book` call may nevertheless have booked a meeting: reconcile before booking again.
    public var mayHaveBooked: Bool { endpoint == .book && classification == .uncertain }

    /// Builds the error for a call from its facts; the classification is `HubSpotErrorClassification.classify`.
    public init(facts: HubSpotFailureFacts, message: String? = nil) {
        let body = facts.body
        self.endpoint = facts.endpoint
        self.status = facts.status
        self.category = body?.category ?? body?.error ?? body?.errorType
        self.subCategory = body?.subCategory ?? (body?.error != nil ? body?.status : nil)
        self.message =
            body?.message ?? body?.errorDescription ?? message
            ?? facts.transport.map { "no answer from HubSpot (\($0.rawValue))" }
            ?? facts.status.map { "HubSpot answered \($0)" } ?? "HubSpot call failed"
        self.correlationId = body?.correlationId
        self.policyName = body?.policyName
        self.errors = body?.errors ?? []
        self.context = body?.context ?? [:]
        self.retryAfter = facts.retryAfter
        self.transport = facts.transport
        self.classification = HubSpotErrorClassification.classify(facts)
    }

    /// An error decided by the bridge itself (invalid settings, OAuth refused, budget exhausted).
    public init(
        endpoint: HubSpotEndpoint, classification: HubSpotErrorClassification, message: String,
        status: Int? = nil, category: String? = nil, subCategory: String? = nil, correlationId: String? = nil,
        policyName: String? = nil, retryAfter: Duration? = nil
    ) {
        self.endpoint = endpoint
        self.status = status
        self.category = category
        self.subCategory = subCategory
        self.message = message
        self.correlationId = correlationId
        self.policyName = policyName
        self.errors = []
        self.context = [:]
        self.retryAfter = retryAfter
        self.transport = nil
        self.classification = classification
    }

    /// True for 423 (locked) and 477 (migration in progress): HubSpot did nothing and asked to be called again
    /// later, so the wait is not a failed attempt.
    public var asksToWait: Bool { status == 423 || status == 477 }

    /// True when the call failed because no access token could be had (the OAuth refresh failed): the request
    /// itself was never judged by HubSpot, so it is not a failed attempt; the credentials need fixing.
    public var isTokenFailure: Bool { endpoint == .token }

    /// What HubSpot objected to in a 400 from `/book`, when recognisable.
    public var bookingRejection: HubSpotBookingRejection? {
        guard status == 400 else { return nil }
        return HubSpotBookingRejection(error: self)
    }

    public var description: String {
        var parts = ["HubSpot \(endpoint.rawValue)"]
        if let status { parts.append("status \(status)") }
        if let transport { parts.append(transport.rawValue) }
        if let category { parts.append(category) }
        if let subCategory { parts.append(subCategory) }
        if let policyName { parts.append(policyName) }
        parts.append(classification.name)
        if let correlationId { parts.append("correlationId \(correlationId)") }
        return parts.joined(separator: ", ") + ": " + message
    }
}
