import Foundation

/// The `data` of the `booking.*` events the pipeline sends (documented in docs/webhooks.md).
public struct BookingEventData: Encodable, Sendable {
    public struct Booking: Encodable, Sendable {
        public var calendarEventId: String
        public var contactId: String
        public var start: Date
        public var end: Date
        public var durationMinutes: Int
        public var subject: String
        public var bookingTimezone: String
        public var isOffline: Bool
        public var location: String?
        public var webConferenceUrl: String?
        /// Set when an operator resolved the intent by hand.
        public var resolvedBy: String?
        /// HubSpot's CRM meeting, when the booking was reconciled from the CRM (`reconciled`).
        public var meetingId: String?
    }

    /// The HubSpot user the meeting is with, as the link's booking info names them.
    ///
    /// HubSpot's booking answer names no rep; its booking info lists the link's members. A personal link has one
    /// member, its owner, who is the rep. A round-robin link's answer does not say which member HubSpot assigned,
    /// and a group meeting has several hosts, so neither names a rep.
    public struct Rep: Encodable, Sendable, Equatable {
        /// HubSpot user id (the one `likelyAvailableUserIds` takes).
        public var userId: String?
        public var name: String?
        public var email: String?

        public init(userId: String?, name: String?, email: String?) {
            self.userId = userId
            self.name = name
            self.email = email
        }

        /// The rep of a link, from its booking info: the owner of a personal link, else `nil`.
        public static func host(of info: HubSpotBookingInfo) -> Rep? {
            let members = info.allUsersBusyTimes.compactMap(\.meetingsUser)
            guard info.linkType == "PERSONAL_LINK", members.count == 1, let user = members.first else { return nil }
            let profile = user.userProfile
            let parts = [profile?.firstName, profile?.lastName].compactMap { $0?.trimmingCharacters(in: .whitespaces) }
            let joined = parts.filter { !$0.isEmpty }.joined(separator: " ")
            let fullName = profile?.fullName?.trimmingCharacters(in: .whitespaces)
            let name = fullName.flatMap { $0.isEmpty ? nil : $0 } ?? (joined.isEmpty ? nil : joined)
            let email = profile?.email.flatMap { $0.isEmpty ? nil : $0 }
            guard name != nil || email != nil else { return nil }
            return Rep(userId: user.userId, name: name, email: email)
        }
    }

    /// Lower-case UUID, as in the intake answer.
    public var intentId: String
    public var source: String
    /// The intent's status after this event: booked, offline, failed, rejected or needs_review.
    public var status: String
    public var slug: String
    public var startTime: Date
    public var durationMinutes: Int
    public var timezone: String
    public var email: String
    public var firstName: String
    public var lastName: String
    public var attempts: Int
    public var booking: Booking?
    public var reason: FailureReason?
    /// Set when the link names its rep (``Rep/host(of:)``).
    public var rep: Rep?
    /// True when the outcome was settled from HubSpot's CRM records after a booking call whose answer was not seen
    /// (the booking's ids come from the CRM meeting); absent otherwise.
    public var reconciled: Bool?

    public init(
        intent: IntentRecord, status: IntentStatus, attempts: Int, booking: Booking? = nil,
        reason: FailureReason? = nil,
        rep: Rep? = nil
    ) {
        intentId = intent.id.uuidString.lowercased()
        source = intent.source
        self.status = status.rawValue
        slug = intent.request.slug
        startTime = intent.request.startTime
        durationMinutes = intent.request.durationMinutes
        timezone = intent.request.timezone
        email = intent.request.email
        firstName = intent.request.firstName
        lastName = intent.request.lastName
        self.attempts = attempts
        self.booking = booking
        self.reason = reason
        self.rep = rep
    }
}
