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
