import Foundation

/// What one delivery attempt produced, before any decision.
public enum WebhookAttemptResult: Sendable, Equatable {
    /// An answer arrived (its status and `Retry-After` header, if any).
    case response(status: Int, retryAfter: String?)
    /// No answer within the timeout.
    case timeout
    /// Connecting, TLS or the exchange failed.
    case transportError
    /// The destination guard refused the address; nothing was sent.
    case refused

    /// The value stored in `delivery_attempts.outcome` and used as the metrics label.
    public var outcome: String {
        switch self {
        case .response(let status, _):
            switch status {
            case 200..<300: "delivered"
            case 410: "gone"
            case 429, 503: "throttled"
            case 300..<400: "redirect"
            default: "http_error"
            }
        case .timeout: "timeout"
        case .transportError: "transport_error"
        case .refused: "refused"
        }
    }
}
