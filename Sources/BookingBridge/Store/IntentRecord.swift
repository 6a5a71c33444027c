import Foundation

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
