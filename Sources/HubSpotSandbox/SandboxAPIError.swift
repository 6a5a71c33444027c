import Foundation

/// An error answer shaped like HubSpot's: a status and one of HubSpot's three error body shapes.
struct SandboxAPIError: Error, Sendable {
    var status: Int
    var body: Body
    /// Extra headers (e.g. rate-limit headers on a 429).
    var headers: [(String, String)] = []

    enum Body: Sendable, Encodable {
        case standard(Standard)
        case rateLimit(RateLimit)
        case oauth(OAuth)

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .standard(let body): try body.encode(to: encoder)
            case .rateLimit(let body): try body.encode(to: encoder)
            case .oauth(let body): try body.encode(to: encoder)
            }
        }
    }

    /// `{status, message, correlationId, category, subCategory?, errors?, context?}`
    struct Standard: Sendable, Encodable {
        var status = "error"
        var message: String
        var correlationId = SandboxIDs.correlationId()
        var category: String
        var subCategory: String?
        var errors: [Detail]?
        var context: [String: [String]]?
    }

    struct Detail: Sendable, Encodable {
        var message: String
        var code: String?
        var context: [String: [String]]?
    }

    /// `{status, message, errorType, correlationId, policyName, requestId}`
    struct RateLimit: Sendable, Encodable {
        var status = "error"
        var message: String
        var errorType = "RATE_LIMIT"
        var correlationId = SandboxIDs.correlationId()
        var policyName: String
        var requestId = SandboxIDs.hex(count: 32)
    }

    /// The token endpoint's `{error, error_description, status, message, correlationId}`.
    struct OAuth: Sendable, Encodable {
        var error: String
        var errorDescription: String
        var status: String
        var message: String
        var correlationId = SandboxIDs.correlationId()

        enum CodingKeys: String, CodingKey {
            case error, errorDescription = "error_description", status, message, correlationId
        }
    }

    static func standard(
        _ status: Int,
        _ message: String,
        category: String,
        subCategory: String? = nil
    ) -> SandboxAPIError {
        SandboxAPIError(
            status: status, body: .standard(.init(message: message, category: category, subCategory: subCategory)))
    }

    static func validation(_ message: String, subCategory: String? = nil) -> SandboxAPIError {
        .standard(400, message, category: "VALIDATION_ERROR", subCategory: subCategory)
    }

    static var durationNotValid: SandboxAPIError {
        validation(
            "Duration is not accepted by link",
            subCategory: "MeetingsBookingSchedulingError.MEETING_DURATION_NOT_VALID"
        )
    }

    static var startTimeNotValid: SandboxAPIError {
        validation(
            "Start time is not valid for link",
            subCategory: "MeetingsBookingSchedulingError.MEETING_START_TIME_NOT_VALID"
        )
    }

    static var timeNotAvailable: SandboxAPIError {
        validation(
            "The requested time is not available",
            subCategory: "MeetingsBookingSchedulingError.MEETING_TIME_NOT_AVAILABLE"
        )
    }

    static var invalidEmail: SandboxAPIError {
        validation(
            "INVALID_EMAIL: the email address is invalid or its domain is blocked",
            subCategory: "INVALID_EMAIL"
        )
    }

    static func invalidGuests(_ reason: String) -> SandboxAPIError {
        validation("INVALID_EMAIL_GUESTS: \(reason)", subCategory: "INVALID_EMAIL_GUESTS")
    }

    static func requiredFormField(_ name: String) -> SandboxAPIError {
        validation("required form field \(name) does not have a corresponding value")
    }

    static func unknownFormField(_ name: String) -> SandboxAPIError {
        validation("form field \(name) is not a field of this meeting link")
    }

    static func consentRequired(_ communicationTypeId: String) -> SandboxAPIError {
        validation("required legal consent \(communicationTypeId) was not given")
    }

    static func invalidInput(_ detail: String) -> SandboxAPIError {
        validation("Invalid input JSON: \(detail)")
    }

    static func slugNotFound(_ slug: String) -> SandboxAPIError {
        .standard(404, "Meeting link slug does not exist: \(slug)", category: "OBJECT_NOT_FOUND")
    }

    static func routeNotFound(_ path: String) -> SandboxAPIError {
        .standard(404, "No route matches \(path)", category: "OBJECT_NOT_FOUND")
    }

    static var methodNotAllowed: SandboxAPIError { standard(405, "Method not allowed", category: "VALIDATION_ERROR") }
    static var tooLarge: SandboxAPIError { standard(413, "Request body too large", category: "VALIDATION_ERROR") }

    static func unauthorized(_ message: String) -> SandboxAPIError {
        .standard(401, message, category: "INVALID_AUTHENTICATION")
    }

    /// 403 for a token without a CRM write scope, as HubSpot answers `/book`.
    static var missingScopes: SandboxAPIError {
        let scopes = ["requiredGranularScopes": ["crm.objects.contacts.write"]]
        return SandboxAPIError(
            status: 403,
            body: .standard(
                .init(
                    message: "This app hasn't been granted all required scopes to make this call.",
                    category: "MISSING_SCOPES",
                    errors: [.init(message: "One or more of the following scopes are required.", context: scopes)],
                    context: scopes
                )
            )
        )
    }

    /// 429 with `policyName` `TEN_SECONDLY_ROLLING` or `DAILY`.
    static func rateLimited(daily: Bool) -> SandboxAPIError {
        let policy = daily ? "DAILY" : "TEN_SECONDLY_ROLLING"
        return SandboxAPIError(
            status: 429,
            body: .rateLimit(.init(message: "You have reached your \(policy.lowercased()) limit.", policyName: policy))
        )
    }

    /// An injected failure with a HubSpot-like body.
    static func injected(status: Int) -> SandboxAPIError {
        switch status {
        case 429: return rateLimited(daily: false)
        case 502: return .standard(502, "Bad Gateway", category: "BAD_GATEWAY")
        case 503: return .standard(503, "Service Unavailable: please retry", category: "SERVICE_UNAVAILABLE")
        case 504: return .standard(504, "Gateway Timeout", category: "GATEWAY_TIMEOUT")
        case 521: return .standard(521, "Web server is down", category: "ORIGIN_DOWN")
        case 523: return .standard(523, "Origin is unreachable", category: "ORIGIN_UNREACHABLE")
        case 524: return .standard(524, "A timeout occurred", category: "ORIGIN_TIMEOUT")
        default: return .standard(status, "internal error", category: "INTERNAL_ERROR")
        }
    }

    static func oauth(_ error: String, status: String, description: String) -> SandboxAPIError {
        SandboxAPIError(
            status: 400,
            body: .oauth(.init(error: error, errorDescription: description, status: status, message: description))
        )
    }

    static var badRefreshToken: SandboxAPIError {
        oauth(
            "invalid_grant",
            status: "BAD_REFRESH_TOKEN",
            description: "refresh token is invalid, expired or revoked"
        )
    }
}

/// Random identifiers in HubSpot's formats.
enum SandboxIDs {
    static func correlationId() -> String { UUID().uuidString.lowercased() }

    static func hex(count: Int) -> String {
        let digits = Array("0123456789abcdef")
        return String((0..<count).map { _ in digits[Int.random(in: 0..<16)] })
    }
}
