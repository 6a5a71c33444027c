import Foundation
import Logging

/// What HubSpot's CRM says about an uncertain booking: the meeting of the booker's contact at the requested start,
/// or that there is none. Kept on the reconcile attempt (`attempts.evidence`).
public struct CRMEvidence: Sendable, Equatable, Codable {
    /// True when a meeting matched.
    public var found: Bool
    /// The contact with the booking's e-mail; nil when HubSpot has none.
    public var contactId: String?
    public var meetingId: String?
    /// The meeting's calendar event (`hs_unique_id`); nil when HubSpot gives none.
    public var calendarEventId: String?
    public var meetingStart: String?
    public var meetingEnd: String?
    public var meetingTitle: String?
    public var meetingCreatedAt: String?
    /// What was looked for, in words.
    public var searched: String

    /// The words a needs_review reason carries when nothing matched.
    public static let notFoundNote = "no meeting for this contact at this start"
}
