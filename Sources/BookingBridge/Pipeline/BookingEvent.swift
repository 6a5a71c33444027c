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

    public init(
        intent: IntentRecord, status: IntentStatus, attempts: Int, booking: Booking? = nil, reason: FailureReason? = nil
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
    }
}

extension BookingEventData.Booking {
    init(_ response: HubSpotBookingResponse) {
        calendarEventId = response.calendarEventId
        contactId = response.contactId
        start = Date(timeIntervalSince1970: Double(response.startMillis) / 1000)
        end = Date(timeIntervalSince1970: Double(response.endMillis) / 1000)
        durationMinutes = Int(response.durationMillis / 60_000)
        subject = response.subject
        bookingTimezone = response.bookingTimezone
        isOffline = response.isOffline
        location = response.location
        webConferenceUrl = response.webConferenceUrl
        resolvedBy = nil
    }
}

extension IntentStatus {
    /// The event an intent ending in this status sends.
    var eventType: String? {
        switch self {
        case .booked: WebhookEventType.bookingConfirmed
        case .offline: WebhookEventType.bookingOffline
        case .failed, .rejected: WebhookEventType.bookingFailed
        case .needsReview: WebhookEventType.bookingNeedsReview
        case .received, .retrying, .spam: nil
        }
    }
}
