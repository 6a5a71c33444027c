import Foundation

/// A booking request as intake normalized it from a form: what the pipeline turns into HubSpot's book call.
public struct BookingRequest: Codable, Sendable, Equatable {
    /// The HubSpot meeting link, e.g. `jane-doe/intro-30` (raw, not percent-encoded).
    public var slug: String
    public var startTime: Date
    /// As the form or the source gave it; the pipeline converts to milliseconds for HubSpot.
    public var durationMinutes: Int
    public var email: String
    public var firstName: String
    /// Never empty: intake puts `-` when unknown (HubSpot rejects empty last names).
    public var lastName: String
    /// The booker's IANA time zone.
    public var timezone: String
    public var locale: String?
    /// HubSpot form field name → value, passed through as `formFields`.
    public var formFields: [String: String]
    /// HubSpot communicationTypeId → consented.
    public var consents: [String: Bool]
    public var guestEmails: [String]

    public init(
        slug: String, startTime: Date, durationMinutes: Int, email: String, firstName: String, lastName: String,
        timezone: String, locale: String? = nil, formFields: [String: String] = [:], consents: [String: Bool] = [:],
        guestEmails: [String] = []
    ) {
        self.slug = slug
        self.startTime = startTime
        self.durationMinutes = durationMinutes
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.timezone = timezone
        self.locale = locale
        self.formFields = formFields
        self.consents = consents
        self.guestEmails = guestEmails
    }
}
