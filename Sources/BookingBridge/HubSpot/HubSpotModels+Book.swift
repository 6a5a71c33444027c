import Foundation

/// Body of `POST /scheduler/2026-03/meetings/meeting-links/book`.
///
/// Every key HubSpot requires is always sent (the arrays may be empty). The slug is sent raw (`sales/discovery`),
/// `duration` in milliseconds, `startTime` as an ISO 8601 string in UTC.
public struct HubSpotBookingRequest: Sendable, Equatable, Codable {
    public var slug: String
    /// Start of the meeting, epoch milliseconds (sent as `startTime`, ISO 8601).
    public var startMillis: Int64
    /// Length of the meeting in milliseconds; must be one of the link's offered durations.
    public var durationMillis: Int64
    public var email: String
    public var firstName: String
    /// HubSpot rejects an empty last name; integrators send `-` when it is unknown.
    public var lastName: String
    public var formFields: [HubSpotFormFieldValue]
    public var legalConsentResponses: [HubSpotConsentResponse]
    /// HubSpot user ids (not meetings-user ids) of pool members likely to be free; `[]` for personal links.
    public var likelyAvailableUserIds: [String]
    /// The booker's IANA time zone.
    public var timezone: String?
    /// e.g. `en-us`.
    public var locale: String?
    /// Extra attendees; HubSpot answers 400 `INVALID_EMAIL_GUESTS` when the link does not allow guests.
    public var guestEmails: [String]?

    public init(
        slug: String, startMillis: Int64, durationMillis: Int64, email: String, firstName: String, lastName: String,
        formFields: [HubSpotFormFieldValue] = [], legalConsentResponses: [HubSpotConsentResponse] = [],
        likelyAvailableUserIds: [String] = [], timezone: String? = nil, locale: String? = nil,
        guestEmails: [String]? = nil
    ) {
        self.slug = slug
        self.startMillis = startMillis
        self.durationMillis = durationMillis
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.formFields = formFields
        self.legalConsentResponses = legalConsentResponses
        self.likelyAvailableUserIds = likelyAvailableUserIds
        self.timezone = timezone
        self.locale = locale
        self.guestEmails = guestEmails
    }

    enum CodingKeys: String, CodingKey {
        case slug, startTime, duration, email, firstName, lastName, formFields, legalConsentResponses
        case likelyAvailableUserIds, timezone, locale, guestEmails
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        slug = try c.decode(String.self, forKey: .slug)
        startMillis = try HubSpotTimestamp.decodeMillis(c, forKey: .startTime)
        durationMillis = try c.decode(Int64.self, forKey: .duration)
        email = try c.decode(String.self, forKey: .email)
        firstName = try c.decode(String.self, forKey: .firstName)
        lastName = try c.decode(String.self, forKey: .lastName)
        formFields = try c.decodeIfPresent([HubSpotFormFieldValue].self, forKey: .formFields) ?? []
        legalConsentResponses =
            try c.decodeIfPresent([HubSpotConsentResponse].self, forKey: .legalConsentResponses) ?? []
        likelyAvailableUserIds = try c.decodeIfPresent([String].self, forKey: .likelyAvailableUserIds) ?? []
        timezone = try c.decodeIfPresent(String.self, forKey: .timezone)
        locale = try c.decodeIfPresent(String.self, forKey: .locale)
        guestEmails = try c.decodeIfPresent([String].self, forKey: .guestEmails)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(slug, forKey: .slug)
        try c.encode(HubSpotTimestamp.iso8601(millis: startMillis), forKey: .startTime)
        try c.encode(durationMillis, forKey: .duration)
        try c.encode(email, forKey: .email)
        try c.encode(firstName, forKey: .firstName)
        try c.encode(lastName, forKey: .lastName)
        try c.encode(formFields, forKey: .formFields)
        try c.encode(legalConsentResponses, forKey: .legalConsentResponses)
        try c.encode(likelyAvailableUserIds, forKey: .likelyAvailableUserIds)
        try c.encodeIfPresent(timezone, forKey: .timezone)
        try c.encodeIfPresent(locale, forKey: .locale)
        try c.encodeIfPresent(guestEmails, forKey: .guestEmails)
    }
}

/// One answered form field in a booking request (`{name, value}`).
public struct HubSpotFormFieldValue: Sendable, Equatable, Codable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// The answer to one consent checkbox (`{communicationTypeId, consented}`).
public struct HubSpotConsentResponse: Sendable, Equatable, Codable {
    public var communicationTypeId: String
    public var consented: Bool

    public init(communicationTypeId: String, consented: Bool) {
        self.communicationTypeId = communicationTypeId
        self.consented = consented
    }
}

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

/// A form field as HubSpot echoes it in a booking answer.
public struct HubSpotBookedFormField: Sendable, Equatable, Codable {
    public var name: String
    public var value: String?
    public var label: String?
    public var isCustom: Bool?
    public var fieldType: String?
    public var translatedLabel: String?
    public var valueLabel: String?
}
