import Foundation

/// What an attempt produced, ready to be written.
public struct DeliveryAttemptOutcome: Sendable {
    public var deliveryID: Int64
    public var subscriptionID: UUID
    public var attempt: Int
    public var startedAt: Date
    public var duration: Duration
    public var result: WebhookAttemptResult
    public var decision: WebhookRetryPolicy.Decision
    public var address: String?
    public var responseBody: String?
    public var error: String?

    public init(
        deliveryID: Int64, subscriptionID: UUID, attempt: Int, startedAt: Date, duration: Duration,
        result: WebhookAttemptResult, decision: WebhookRetryPolicy.Decision, address: String? = nil,
        responseBody: String? = nil, error: String? = nil
    ) {
        self.deliveryID = deliveryID
        self.subscriptionID = subscriptionID
        self.attempt = attempt
        self.startedAt = startedAt
        self.duration = duration
        self.result = result
        self.decision = decision
        self.address = address
        self.responseBody = responseBody
        self.error = error
    }

    var statusCode: Int? {
        if case .response(let status, _) = result { return status }
        return nil
    }
}
