import Foundation

/// HubSpot's 200 answer to a booking.
///
/// Beware the offline trap: `isOffline == true` with an empty `calendarEventId` means HubSpot created a contact
/// but no meeting; `isConfirmedMeeting` is false then.
public struct HubSpotBookingResponse: Sendable, Equatable, Codable {
    public var bookingTimezone: String
    public var calendarEventId: String
    public var contactId: String
    public var durationMillis: Int64
    public var startMillis: Int64
    public var endMillis: Int64
    public var subject: String
    public var isOffline: Bool
    public var formFields: [HubSpotBookedFormField]
    public var guestEmails: [String]
    public var legalConsentResponses: [HubSpotConsentResponse]
    public var locale: String?
    public var location: String?
    public var webConferenceMeetingId: String?
    public var webConferenceUrl: String?

    /// True only when a real calendar meeting exists: not offline and with a calendar event id.
    public var isConfirmedMeeting: Bool { !isOffline && !calendarEventId.isEmpty }

    enum CodingKeys: String, CodingKey {
        case bookingTimezone, calendarEventId, contactId, duration, start, end, subject, isOffline, formFields
        case guestEmails, legalConsentResponses, locale, location, webConferenceMeetingId, webConferenceUrl
    }

    public init(
        bookingTimezone: String, calendarEventId: String, contactId: String, durationMillis: Int64, startMillis: Int64,
        endMillis: Int64, subject: String, isOffline: Bool, formFields: [HubSpotBookedFormField] = [],
        guestEmails: [String] = [], legalConsentResponses: [HubSpotConsentResponse] = [], locale: String? = nil,
        location: String? = nil, webConferenceMeetingId: String? = nil, webConferenceUrl: String? = nil
    ) {
        self.bookingTimezone = bookingTimezone
        self.calendarEventId = calendarEventId
        self.contactId = contactId
        self.durationMillis = durationMillis
        self.startMillis = startMillis
        self.endMillis = endMillis
        self.subject = subject
        self.isOffline = isOffline
        self.formFields = formFields
        self.guestEmails = guestEmails
        self.legalConsentResponses = legalConsentResponses
        self.locale = locale
        self.location = location
        self.webConferenceMeetingId = webConferenceMeetingId
        self.webConferenceUrl = webConferenceUrl
    }

    /// Keys that decide whether a meeting exists are required; descriptive ones fall back to empty values, so a
    /// booking that did happen is not lost to a cosmetic omission.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        bookingTimezone = try c.decodeIfPresent(String.self, forKey: .bookingTimezone) ?? ""
        calendarEventId = try c.decodeIfPresent(String.self, forKey: .calendarEventId) ?? ""
        contactId = try c.decode(String.self, forKey: .contactId)
        durationMillis = try c.decode(Int64.self, forKey: .duration)
        startMillis = try HubSpotTimestamp.decodeMillis(c, forKey: .start)
        endMillis = try HubSpotTimestamp.decodeMillis(c, forKey: .end)
        subject = try c.decodeIfPresent(String.self, forKey: .subject) ?? ""
        isOffline = try c.decode(Bool.self, forKey: .isOffline)
        formFields = try c.decodeIfPresent([HubSpotBookedFormField].self, forKey: .formFields) ?? []
        guestEmails = try c.decodeIfPresent([String].self, forKey: .guestEmails) ?? []
        legalConsentResponses =
            try c.decodeIfPresent([HubSpotConsentResponse].self, forKey: .legalConsentResponses) ?? []
        locale = try c.decodeIfPresent(String.self, forKey: .locale)
        location = try c.decodeIfPresent(String.self, forKey: .location)
        webConferenceMeetingId = try c.decodeIfPresent(String.self, forKey: .webConferenceMeetingId)
        webConferenceUrl = try c.decodeIfPresent(String.self, forKey: .webConferenceUrl)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(bookingTimezone, forKey: .bookingTimezone)
        try c.encode(calendarEventId, forKey: .calendarEventId)
        try c.encode(contactId, forKey: .contactId)
        try c.encode(durationMillis, forKey: .duration)
        try c.encode(HubSpotTimestamp.iso8601(millis: startMillis), forKey: .start)
        try c.encode(HubSpotTimestamp.iso8601(millis: endMillis), forKey: .end)
        try c.encode(subject, forKey: .subject)
        try c.encode(isOffline, forKey: .isOffline)
        try c.encode(formFields, forKey: .formFields)
        try c.encode(guestEmails, forKey: .guestEmails)
        try c.encode(legalConsentResponses, forKey: .legalConsentResponses)
        try c.encodeIfPresent(locale, forKey: .locale)
        try c.encodeIfPresent(location, forKey: .location)
        try c.encodeIfPresent(webConferenceMeetingId, forKey: .webConferenceMeetingId)
        try c.encodeIfPresent(webConferenceUrl, forKey: .webConferenceUrl)
    }
}
