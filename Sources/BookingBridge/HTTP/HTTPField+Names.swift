import HTTPTypes

/// Header names the bridge reads or sends that HTTPTypes does not define.
extension HTTPField.Name {
    public static let xRequestID = Self("X-Request-Id")!
    public static let idempotencyKey = Self("Idempotency-Key")!
    public static let webhookID = Self("webhook-id")!
    public static let webhookTimestamp = Self("webhook-timestamp")!
    public static let webhookSignature = Self("webhook-signature")!
}
