import Foundation

/// An error answer shaped like HubSpot's: a status and one of HubSpot's three error body shapes, or the HTML page
/// HubSpot's edge sends for some 5xx.
struct SandboxAPIError: Error, Sendable {
    var status: Int
    var body: Body
    /// Extra headers (e.g. rate-limit headers on a 429).
    var headers: [(String, String)] = []

    enum Body: Sendable, Encodable {
        case standard(Standard)
        case rateLimit(RateLimit)
        case oauth(OAuth)
        /// Not JSON: an HTML page, sent as `text/html`.
        case html(String)

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .standard(let body): try body.encode(to: encoder)
            case .rateLimit(let body): try body.encode(to: encoder)
            case .oauth(let body): try body.encode(to: encoder)
            case .html(let page):
                var container = encoder.singleValueContainer()
                try container.encode(page)
            }
        }
    }

    /// `{status, message, correlationId, category, subCategory?, errors?, context?, links?}`: the spec's `Error`
    /// (which requires `message`, `correlationId` and `category`) plus the `status: "error"` HubSpot always sends.
    /// The optional keys are left out (not `null`) when HubSpot would not send them.
    struct Standard: Sendable, Encodable {
        var status = "error"
        var message: String
        var correlationId = SandboxIDs.correlationId()
        var category: String
        var subCategory: String?
        var errors: [Detail]?
        var context: [String: [String]]?
        var links: [String: String]?
    }

    /// The spec's `ErrorDetail`: `message` required, the rest optional.
    struct Detail: Sendable, Encodable {
        var message: String
        var code: String?
        var `in`: String?
        var subCategory: String?
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

    /// 404 for a CRM object that does not exist (also for an unknown e-mail with `idProperty=email`).
    static var crmObjectNotFound: SandboxAPIError {
        .standard(404, "resource not found", category: "OBJECT_NOT_FOUND")
    }

    static func routeNotFound(_ path: String) -> SandboxAPIError {
        .standard(404, "No route matches \(path)", category: "OBJECT_NOT_FOUND")
    }

    static var methodNotAllowed: SandboxAPIError { standard(405, "Method not allowed", category: "VALIDATION_ERROR") }
    static var tooLarge: SandboxAPIError { standard(413, "Request body too large", category: "VALIDATION_ERROR") }

    static func unauthorized(_ message: String) -> SandboxAPIError {
        .standard(401, message, category: "INVALID_AUTHENTICATION")
    }

    /// 401 for an OAuth access token past its expiry, as HubSpot answers it: category `EXPIRED_AUTHENTICATION`,
    /// a message with the age in HubSpot's units, and the expiry in `context["expire time"]`.
    static func expired(expiredAtMillis: Int64, now: Int64) -> SandboxAPIError {
        let seconds = max(0, (now - expiredAtMillis) / 1000)
        let age: String =
            switch seconds {
            case ..<60: "\(seconds) second(s)"
            case ..<3600: "\(seconds / 60) minute(s)"
            case ..<86_400: "\(seconds / 3600) hour(s)"
            default: "\(seconds / 86_400) day(s)"
            }
        var body = Standard(
            message: "The OAuth token used to make this call expired \(age) ago.", category: "EXPIRED_AUTHENTICATION")
        body.context = ["expire time": [SandboxTime.format(expiredAtMillis)]]
        return SandboxAPIError(status: 401, body: .standard(body))
    }
    /// 403 for a token without a CRM write scope, as HubSpot answers `/book`.
    static var missingScopes: SandboxAPIError { missingScopes(["crm.objects.contacts.write"]) }

    /// 403 for a token without the CRM read scope, as HubSpot answers the CRM contact read and meeting search.
    static var missingCRMReadScope: SandboxAPIError { missingScopes(["crm.objects.contacts.read"]) }

    /// 403 `MISSING_SCOPES` naming the scopes the call needs (in `context` and in the one error detail).
    static func missingScopes(_ required: [String]) -> SandboxAPIError {
        let scopes = ["requiredGranularScopes": required]
        return SandboxAPIError(
            status: 403,
            body: .standard(
                .init(
                    message: "This app hasn't been granted all required scopes to make this call.",
                    category: "MISSING_SCOPES",
                    errors: [.init(message: "One or more of the following scopes are required.", context: scopes)],
                    context: scopes,
                    links: ["scopes": "https://developers.hubspot.com/scopes"]
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

    /// An injected failure: a HubSpot-like JSON body, or for a 5xx with `html` the page HubSpot's edge sends.
    /// 423 and 477 carry `Retry-After: retryAfterSeconds`.
    static func injected(status: Int, html: Bool = false, retryAfterSeconds: Int = 2) -> SandboxAPIError {
        if html && status >= 500 { return .edgePage(status: status) }
        switch status {
        case 429: return rateLimited(daily: false)
        case 423:
            var error = SandboxAPIError.standard(423, "The resource is locked; try again later", category: "LOCKED")
            error.headers = [("Retry-After", String(retryAfterSeconds))]
            return error
        case 477:
            var error = SandboxAPIError.standard(
                477, "This account is being migrated to another data center; try again later",
                category: "MIGRATION_IN_PROGRESS")
            error.headers = [("Retry-After", String(retryAfterSeconds))]
            return error
        case 502: return .standard(502, "Bad Gateway", category: "BAD_GATEWAY")
        case 503: return .standard(503, "Service Unavailable: please retry", category: "SERVICE_UNAVAILABLE")
        case 504: return .standard(504, "Gateway Timeout", category: "GATEWAY_TIMEOUT")
        case 521: return .standard(521, "Web server is down", category: "ORIGIN_DOWN")
        case 523: return .standard(523, "Origin is unreachable", category: "ORIGIN_UNREACHABLE")
        case 524: return .standard(524, "A timeout occurred", category: "ORIGIN_TIMEOUT")
        default: return .standard(status, "internal error", category: "INTERNAL_ERROR")
        }
    }

    /// The HTML error page of HubSpot's edge (Cloudflare) for a 5xx: no JSON, no correlation id.
    static func edgePage(status: Int) -> SandboxAPIError {
        let title =
            switch status {
            case 502: "502 Bad Gateway"
            case 503: "503 Service Temporarily Unavailable"
            case 504: "504 Gateway Time-out"
            case 521: "521: Web server is down"
            case 523: "523: Origin is unreachable"
            case 524: "524: A timeout occurred"
            default: "\(status) Internal Server Error"
            }
        let page = """
            <html>
            <head><title>\(title)</title></head>
            <body>
            <center><h1>\(title)</h1></center>
            <hr><center>cloudflare</center>
            </body>
            </html>

            """
        return SandboxAPIError(status: status, body: .html(page))
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
