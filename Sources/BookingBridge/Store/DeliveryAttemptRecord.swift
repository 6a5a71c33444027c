import Foundation

/// One recorded request (or refusal) for a delivery.
public struct DeliveryAttemptRecord: Sendable, Equatable, Codable {
    public var id: Int64
    public var attempt: Int
    public var startedAt: Date
    public var durationMs: Int
    /// `delivered`, `http_error`, `gone`, `throttled`, `redirect`, `timeout`, `transport_error` or `refused`.
    public var outcome: String
    public var statusCode: Int?
    public var address: String?
    public var responseBody: String?
    public var error: String?
}
