import Foundation

/// One form that may post to `POST /v1/intake/{source}`: how it authenticates and how its fields map to a booking.
///
/// Owned by the intake stage; see the README's "Sources" section for every key.
public struct SourceConfiguration: Sendable, Equatable, Decodable {
    /// Which sender posts to the source: it selects how the body is read and which `auth` modes fit.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// A flat form (JSON, urlencoded, multipart), from a browser or a backend.
        case form
        case typeform, tally, webflow, jotform
        /// A HubSpot workflow's "Send a webhook" action.
        case hubspot
        /// Any JSON; field references are paths into it.
        case json

        /// The `auth.mode` values a source of this kind may use.
        public var allowedModes: [String] {
            switch self {
            case .form, .json: ["public", "token", "hmac"]
            case .typeform: ["typeform"]
            case .tally: ["tally", "token"]
            case .webflow: ["webflow"]
            case .jotform: ["token"]
            case .hubspot: ["hubspot"]
            }
        }

        /// Whether a machine (not a visitor's browser) sends the posts: unbookable submissions are then stored as
        /// `rejected` and answered 200, because such senders retry or disable the webhook on error answers.
        public var isMachineSender: Bool { self != .form }
    }

    public enum Auth: Sendable, Equatable {
        /// Browser forms: allowed origins (CORS), and a honeypot field that must stay empty.
        case `public`(allowedOrigins: [String], honeypotField: String?)
        /// A shared bearer token.
        case token(String)
        /// Standard Webhooks signatures with the given `whsec_` secret.
        case hmac(secret: String)
        /// Typeform's `Typeform-Signature: sha256=<base64 HMAC-SHA256(secret, body)>`.
        case typeform(secret: String)
        /// Tally's `Tally-Signature: <base64 HMAC-SHA256(secret, body)>`.
        case tally(secret: String)
        /// Webflow's `x-webflow-signature: <hex HMAC-SHA256(secret, "<timestamp>:<body>")>`.
        case webflow(secret: String)
        /// HubSpot's `X-HubSpot-Signature-v3` with the app's client secret.
        case hubspot(secret: String)

        /// The `auth.mode` value of this case.
        public var mode: String {
            switch self {
            case .public: "public"
            case .token: "token"
            case .hmac: "hmac"
            case .typeform: "typeform"
            case .tally: "tally"
            case .webflow: "webflow"
            case .hubspot: "hubspot"
            }
        }
    }

    /// How the body is read (`form` unless set).
    public var kind: Kind
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
    /// For `json` sources: the path of the sender's own submission id, used as the idempotency key.
    public var idempotencyPath: String?
    /// The HubSpot account (a key of `hubspotAccounts`) this source books with; `nil`: the default `hubspot` one.
    public var hubspot: String?
    /// The hosted booking page of a `public` source (`GET /book/{source}`); off when nil or not enabled.
    public var page: BookingPageSettings?

    enum CodingKeys: String, CodingKey {
        case kind, auth, slug, durationMinutes, timezone, locale, fields, formFields, consent, redirectUrl
        case rateLimitPerMinute, idempotencyPath, hubspot, page
    }

    enum AuthKeys: String, CodingKey {
        case mode, allowedOrigins, honeypotField, token, secret
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let prefix = decoder.codingPath.map(\.stringValue).joined(separator: ".")
        func key(_ name: String) -> String { prefix.isEmpty ? name : prefix + "." + name }
        let kindText = try c.decodeIfPresent(String.self, forKey: .kind) ?? Kind.form.rawValue
        guard let kind = Kind(rawValue: kindText) else {
            throw ConfigurationError(
                key: key("kind"), expected: Kind.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "),
                found: "\"\(kindText)\"")
        }
        self.kind = kind
        let a = try c.nestedContainer(keyedBy: AuthKeys.self, forKey: .auth)
        func secret() throws -> String {
            let secret = try a.decode(String.self, forKey: .secret)
            guard !secret.isEmpty else {
                throw ConfigurationError(key: key("auth.secret"), expected: "a non-empty secret")
            }
            return secret
        }
        let mode = try a.decode(String.self, forKey: .mode)
        if ["public", "token", "hmac", "typeform", "tally", "webflow", "hubspot"].contains(mode),
            !kind.allowedModes.contains(mode)
        {
            throw ConfigurationError(
                key: key("auth.mode"),
                expected:
                    "one of \(kind.allowedModes.map { "\"\($0)\"" }.joined(separator: ", ")) for kind \"\(kind.rawValue)\"",
                found: "\"\(mode)\"")
        }
        switch mode {
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
        case "typeform": auth = .typeform(secret: try secret())
        case "tally": auth = .tally(secret: try secret())
        case "webflow": auth = .webflow(secret: try secret())
        case "hubspot": auth = .hubspot(secret: try secret())
        case let other:
            throw ConfigurationError(
                key: key("auth.mode"),
                expected: "\"public\", \"token\", \"hmac\", \"typeform\", \"tally\", \"webflow\" or \"hubspot\"",
                found: "\"\(other)\"")
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
        idempotencyPath = try c.decodeIfPresent(String.self, forKey: .idempotencyPath)
        if let idempotencyPath {
            guard kind == .json, JSONPath(idempotencyPath) != nil else {
                throw ConfigurationError(
                    key: key("idempotencyPath"), expected: "a path such as submission.id, on a source of kind \"json\"",
                    found: "\"\(idempotencyPath)\"")
            }
        }
        if kind == .json {
            for (name, reference) in fields.merging(formFields, uniquingKeysWith: { a, _ in a })
            where JSONPath(reference) == nil {
                throw ConfigurationError(
                    key: key(self.fields[name] != nil ? "fields.\(name)" : "formFields.\(name)"),
                    expected: "a path such as submission.email, answers[0].value or questions[name=Email].value",
                    found: "\"\(reference)\"")
            }
        }
        hubspot = try c.decodeIfPresent(String.self, forKey: .hubspot)
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
        kind: Kind = .form, auth: Auth, slug: String, durationMinutes: Int? = nil, timezone: String? = nil,
        locale: String? = nil,
        fields: [String: String] = [:], formFields: [String: String] = [:], consent: [String: String] = [:],
        redirectUrl: String? = nil, rateLimitPerMinute: Int? = nil, idempotencyPath: String? = nil,
        hubspot: String? = nil, page: BookingPageSettings? = nil
    ) {
        self.kind = kind
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
        self.idempotencyPath = idempotencyPath
        self.hubspot = hubspot
        self.page = page
    }
}
