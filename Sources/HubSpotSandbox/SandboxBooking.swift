/// One booking the sandbox made, as listed by ``HubSpotSandbox/bookings()`` and `GET /__sandbox/bookings`.
public struct SandboxBooking: Codable, Sendable, Equatable {
    /// Sequence number of the booking ("1", "2", ...), restarting after a reset.
    public var id: String
    /// Id of the meeting link.
    public var linkId: String
    /// Slug of the meeting link, raw (`sales/discovery`).
    public var slug: String
    /// Start, epoch milliseconds.
    public var startMillis: Int64
    /// Duration in milliseconds.
    public var durationMillis: Int64
    /// Booker's e-mail.
    public var email: String
    /// Booker's first name.
    public var firstName: String
    /// Booker's last name.
    public var lastName: String
    /// HubSpot user id of the rep the meeting was assigned to.
    public var assignedUserId: String
    /// True when the assigned rep has no connected calendar: HubSpot's offline trap (no meeting exists).
    public var isOffline: Bool
    /// Calendar event id; empty when ``isOffline`` (and under ``SandboxFaults/emptyCalendarEventRate``).
    public var calendarEventId: String
    /// CRM contact id (one per e-mail address).
    public var contactId: String
    /// Form answers by field name.
    public var formFields: [String: String]
    /// Consent answers by `communicationTypeId`, as sent in `legalConsentResponses`.
    public var legalConsentResponses: [String: Bool] = [:]
    /// Guests invited.
    public var guestEmails: [String]
    /// When the booking was made, epoch milliseconds.
    public var bookedAtMillis: Int64

    /// End of the meeting, epoch milliseconds.
    public var endMillis: Int64 { self.startMillis + self.durationMillis }
}

/// Traffic the sandbox saw on its HubSpot API paths (everything but `/__sandbox/...`), whatever the answer.
public struct SandboxRequestStats: Codable, Sendable, Equatable {
    /// Every HubSpot API request received since start or the last reset.
    public var total: Int
    /// Most requests received in any rolling 10-second window.
    public var maxInAnyWindow: Int
    /// Requests answered 429 because a rate limit was exceeded (injected 429s not included).
    public var rateLimited: Int
    /// Requests answered with an injected fault status.
    public var faulted: Int
    /// Successful bookings whose connection was dropped on purpose.
    public var dropped: Int
    /// Of ``total``: `POST .../meeting-links/book` calls, whatever their answer.
    public var bookCalls: Int
    /// Of ``total``: `GET .../book/availability-page/{slug}` reads.
    public var availabilityReads: Int
    /// Of ``total``: `GET .../book/{slug}` booking-info reads.
    public var bookingInfoReads: Int

    /// Creates stats.
    public init(
        total: Int = 0, maxInAnyWindow: Int = 0, rateLimited: Int = 0, faulted: Int = 0, dropped: Int = 0,
        bookCalls: Int = 0, availabilityReads: Int = 0, bookingInfoReads: Int = 0
    ) {
        self.total = total
        self.maxInAnyWindow = maxInAnyWindow
        self.rateLimited = rateLimited
        self.faulted = faulted
        self.dropped = dropped
        self.bookCalls = bookCalls
        self.availabilityReads = availabilityReads
        self.bookingInfoReads = bookingInfoReads
    }
}
