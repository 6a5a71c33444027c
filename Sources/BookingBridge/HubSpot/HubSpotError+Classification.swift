extension HubSpotErrorClassification {
    /// The least time to wait after a 423 (locked) or a 477 (migration in progress).
    public static let lockedMinimumDelay: Duration = .seconds(2)

    /// Classifies one failed call: the contract's error table (section 4), plus the transport cases.
    ///
    /// Decisions beyond the table, for `/book` (which has no idempotency key):
    /// - 500, 502, 503, 504 and 524 are `.uncertain`: the answer came from HubSpot or a proxy after the request
    ///   may have been processed (504 and 524 are timeouts of an origin that had the request), so the meeting may
    ///   exist. 521 (origin down) and 523 (origin unreachable) are Cloudflare's "never reached HubSpot": `.retryable`.
    /// - A 2xx whose body could not be read is `.uncertain` (the booking happened but its details are unknown).
    /// - No answer: `.retryable` when the request certainly was not sent, else `.uncertain`.
    /// Read calls are idempotent, so every "may or may not have happened" case is `.retryable` for them.
    public static func classify(_ facts: HubSpotFailureFacts) -> HubSpotErrorClassification {
        let unknownOutcome: HubSpotErrorClassification =
            facts.endpoint.isIdempotent ? .retryable(after: nil) : .uncertain
        guard let status = facts.status else {
            return facts.requestMayHaveBeenSent ? unknownOutcome : .retryable(after: nil)
        }
        switch status {
        case 200..<300:
            return facts.endpoint.isIdempotent ? .permanent : .uncertain
        case 401:
            return facts.canRefreshToken ? .unauthorized : .permanent
        case 408:
            return .retryable(after: facts.retryAfter)
        case 423, 477:
            // Locked, or the account is being migrated: HubSpot did nothing and says when to come back.
            return .retryable(after: max(facts.retryAfter ?? lockedMinimumDelay, lockedMinimumDelay))
        case 429:
            return .rateLimited(
                policy: HubSpotRatePolicy(policyName: facts.body?.policyName), retryAfter: facts.retryAfter)
        case 400..<500:
            return .permanent
        case 521, 523:
            return .retryable(after: facts.retryAfter)
        case 500..<600:
            return facts.endpoint.isIdempotent ? .retryable(after: facts.retryAfter) : .uncertain
        default:
            return facts.endpoint.isIdempotent ? .permanent : .uncertain
        }
    }

    /// The least wait the classification carries (`.retryable(after:)`, `.rateLimited(retryAfter:)`), if any.
    public var waitHint: Duration? {
        switch self {
        case .retryable(let after): after
        case .rateLimited(_, let retryAfter): retryAfter
        default: nil
        }
    }

    /// True for `.retryable` whatever its delay.
    public var isRetryable: Bool {
        if case .retryable = self { return true }
        return false
    }

    /// Short stable name, used as the `outcome` metrics label and in logs.
    public var name: String {
        switch self {
        case .permanent: "permanent"
        case .retryable: "retryable"
        case .rateLimited: "rate_limited"
        case .unauthorized: "unauthorized"
        case .uncertain: "uncertain"
        }
    }
}
