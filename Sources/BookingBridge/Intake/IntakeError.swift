import HTTPTypes

/// Why intake refuses a submission. Every case is something a client caused, so each maps to a 4xx answer
/// (`problem`); the pure parts of intake throw it and the controller turns it into `application/problem+json`.
public struct IntakeError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Value: Sendable, Hashable {
            case malformed, unauthorized, forbidden, unknownSource, tooLarge, unsupportedMediaType, invalid, rateLimited
        }
        fileprivate let value: Value

        /// The body or a header cannot be read (400).
        public static let malformed = Code(value: .malformed)
        /// Missing or wrong credentials (401).
        public static let unauthorized = Code(value: .unauthorized)
        /// A browser origin the source does not allow (403).
        public static let forbidden = Code(value: .forbidden)
        /// No source with that name (404).
        public static let unknownSource = Code(value: .unknownSource)
        /// The body is over the limit (413).
        public static let tooLarge = Code(value: .tooLarge)
        /// A content type or charset intake does not read, or a file upload (415).
        public static let unsupportedMediaType = Code(value: .unsupportedMediaType)
        /// Fields that fail validation (422), listed in `fieldErrors`.
        public static let invalid = Code(value: .invalid)
        /// A rate limit is exhausted (429); `retryAfterSeconds` says when to try again.
        public static let rateLimited = Code(value: .rateLimited)

        public var description: String { "\(value)" }
    }

    public var code: Code
    public var detail: String
    /// For `.invalid`: each failing field, named as the form names it.
    public var fieldErrors: [ProblemFieldError]
    /// For `.rateLimited`.
    public var retryAfterSeconds: Int?
    /// Headers the answer carries, e.g. `WWW-Authenticate`.
    public var headers: HTTPFields

    public init(
        _ code: Code, _ detail: String, fieldErrors: [ProblemFieldError] = [], retryAfterSeconds: Int? = nil,
        headers: HTTPFields = [:]
    ) {
        self.code = code
        self.detail = detail
        self.fieldErrors = fieldErrors
        self.retryAfterSeconds = retryAfterSeconds
        self.headers = headers
    }

    /// A validation failure of one field.
    public static func invalid(field: String, _ message: String) -> IntakeError {
        IntakeError(.invalid, "the submission has invalid fields", fieldErrors: [.init(field: field, message: message)])
    }

    public var description: String { "\(code): \(detail)" }

    public var status: HTTPResponse.Status {
        switch code.value {
        case .malformed: .badRequest
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .unknownSource: .notFound
        case .tooLarge: .contentTooLarge
        case .unsupportedMediaType: .unsupportedMediaType
        case .invalid: .unprocessableContent
        case .rateLimited: .tooManyRequests
        }
    }
}
