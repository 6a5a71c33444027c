import Foundation

/// One form that may post to `POST /v1/intake/{source}`: how it authenticates and how its fields map to a booking.
///
/// Owned by the intake stage; see the README's "Sources" section for every key.
public struct SourceConfiguration: Sendable, Equatable, Decodable {
    public enum Auth: Sendable, Equatable {
        /// Browser forms: allowed origins (CORS), and a honeypot field that must stay empty.
        case `public`(allowedOrigins: [String], honeypotField: String?)
        /// A shared bearer token.
        case token(String)
        /// Standard Webhooks signatures with the given `whsec_` secret.
        case hmac(secret: String)
    }

    public var auth: Auth
    /// The HubSpot meeting link, e.g. `jane-doe/intro-30`.
    public var slug: String
    public var durationMinutes: Int?
    public var timezone: String?
    public var locale: String?
    /// Booking field name → the form's field name (only those that differ need be given).
    public var fields: [String: String]
    /// HubSpot form field name → the form's field name, passed through as `formFields`.
    public var formFields: [String: String]
    /// The form's checkbox field name → HubSpot communicationTypeId it answers.
    public var consent: [String: String]
    public var redirectUrl: String?
    public var rateLimitPerMinute: Int?
    /// The hosted booking page of a `public` source (`GET /book/{source}`); off when nil or not enabled.
    public var page: BookingPageSettings?

    enum CodingKeys: String, CodingKey {
        case auth, slug, durationMinutes, timezone, locale, fields, formFields, consent, redirectUrl, rateLimitPerMinute
        case page
    }

    enum AuthKeys: String, CodingKey {
        case mode, allowedOrigins, honeypotField, token, secret
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let a = try c.nestedContainer(keyedBy: AuthKeys.self, forKey: .auth)
        switch try a.decode(String.self, forKey: .mode) {
        case "public":
            auth = .public(
                allowedOrigins: try a.decodeIfPresent([String].self, forKey: .allowedOrigins) ?? [],
                honeypotField: try a.decodeIfPresent(String.self, forKey: .honeypotField))
        case "token":
            let token = try a.decode(String.self, forKey: .token)
            guard !token.isEmpty else { throw ConfigurationError(key: "auth.token", expected: "a non-empty token") }
            auth = .token(token)
        case "hmac":
            let secret = try a.decode(String.self, forKey: .secret)
            guard (try? StandardWebhooks.Secret(secret)) != nil else {
                throw ConfigurationError(
                    key: "auth.secret", expected: "\"whsec_\" followed by base64 of at least 16 bytes")
            }
            auth = .hmac(secret: secret)
        case let other:
            throw ConfigurationError(
                key: "auth.mode", expected: "\"public\", \"token\" or \"hmac\"", found: "\"\(other)\"")
        }
        slug = try c.decode(String.self, forKey: .slug)
        durationMinutes = try c.decodeIfPresent(Int.self, forKey: .durationMinutes)
        timezone = try c.decodeIfPresent(String.self, forKey: .timezone)
        locale = try c.decodeIfPresent(String.self, forKey: .locale)
        fields = try c.decodeIfPresent([String: String].self, forKey: .fields) ?? [:]
        formFields = try c.decodeIfPresent([String: String].self, forKey: .formFields) ?? [:]
        consent = try c.decodeIfPresent([String: String].self, forKey: .consent) ?? [:]
        redirectUrl = try c.decodeIfPresent(String.self, forKey: .redirectUrl)
        rateLimitPerMinute = try c.decodeIfPresent(Int.self, forKey: .rateLimitPerMinute)
        page = try c.decodeIfPresent(BookingPageSettings.self, forKey: .page)
        if let timezone, TimeZone(identifier: timezone) == nil {
            throw ConfigurationError(
                key: "timezone", expected: "an IANA time zone such as Europe/Berlin", found: "\"\(timezone)\"")
        }
        if let rateLimitPerMinute, rateLimitPerMinute <= 0 {
            throw ConfigurationError(
                key: "rateLimitPerMinute", expected: "a positive number", found: "\(rateLimitPerMinute)")
        }
    }

    public init(
        auth: Auth, slug: String, durationMinutes: Int? = nil, timezone: String? = nil, locale: String? = nil,
        fields: [String: String] = [:], formFields: [String: String] = [:], consent: [String: String] = [:],
        redirectUrl: String? = nil, rateLimitPerMinute: Int? = nil, page: BookingPageSettings? = nil
    ) {
        self.auth = auth
        self.slug = slug
        self.durationMinutes = durationMinutes
        self.timezone = timezone
        self.locale = locale
        self.fields = fields
        self.formFields = formFields
        self.consent = consent
        self.redirectUrl = redirectUrl
        self.rateLimitPerMinute = rateLimitPerMinute
        self.page = page
    }
}
