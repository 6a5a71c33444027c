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
