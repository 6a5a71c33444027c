import Foundation

/// A new intent as intake built it.
public struct NewIntent: Sendable {
    public var id: UUID
    public var source: String
    public var idempotencyKey: String
    /// A public form's submission fingerprint (`IdempotencyKey.fingerprint`); such an intent is inserted with
    /// `IntentStore.insertFingerprinted`, which returns a recent intent for the same request instead.
    public var fingerprint: String?
    public var status: IntentStatus
    /// The submission as received (content type and fields), stored as JSON.
    public var raw: RawSubmission
    public var request: BookingRequest
    public var clientIP: String?
    public var userAgent: String?

    public init(
        id: UUID = .random(), source: String, idempotencyKey: String, fingerprint: String? = nil,
        status: IntentStatus = .received, raw: RawSubmission, request: BookingRequest, clientIP: String? = nil,
        userAgent: String? = nil
    ) {
        self.id = id
        self.source = source
        self.idempotencyKey = idempotencyKey
        self.fingerprint = fingerprint
        self.status = status
        self.raw = raw
        self.request = request
        self.clientIP = clientIP
        self.userAgent = userAgent
    }
}
