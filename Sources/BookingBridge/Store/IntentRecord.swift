import Foundation

/// Where an intent stands. Stored as checked text in `intents.status`.
public enum IntentStatus: String, Codable, Sendable, CaseIterable {
    /// Accepted and waiting for its first booking attempt.
    case received
    /// Waiting for another attempt after a retryable error.
    case retrying
    /// HubSpot confirmed a meeting.
    case booked
    /// HubSpot answered with its offline trap: a contact exists, but no meeting.
    case offline
    case failed
    /// An attempt's outcome is unknown and the slot is gone: a person must look.
    case needsReview = "needs_review"
    /// A filled honeypot: stored, never booked.
    case spam
    /// A machine sender's submission that cannot be booked as sent (see `SourceConfiguration.Kind`): stored with
    /// its reason, never booked.
    case rejected

    /// Statuses that still have work to do (the claimable ones).
    public static let due: [IntentStatus] = [.received, .retrying]

    public var isFinal: Bool { !Self.due.contains(self) }
}

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

/// The submission exactly as the form sent it, decoded to fields.
public struct RawSubmission: Codable, Sendable, Equatable {
    public var contentType: String
    public var fields: [String: String]

    public init(contentType: String, fields: [String: String]) {
        self.contentType = contentType
        self.fields = fields
    }
}

/// An intent as stored.
public struct IntentRecord: Sendable, Equatable {
    public var id: UUID
    public var source: String
    public var idempotencyKey: String
    public var status: IntentStatus
    public var request: BookingRequest
    public var attempts: Int
    public var uncertain: Bool
    public var lockedBy: String?
    public var lockedUntil: Date?
    public var nextAttemptAt: Date
    public var lastError: FailureReason?
    public var createdAt: Date
    public var updatedAt: Date
    public var finishedAt: Date?
    /// When the latest booking call left, while its answer is unknown (it may still reach HubSpot).
    public var bookStartedAt: Date?
}
