/// A submission's fields as decoded from its body: field name → value as text. A name sent more than once keeps
/// every value, joined with `", "` (repeated checkboxes, several guests).
///
/// Decoding only reads the body; what the values may contain is checked later (`SubmissionMapper`).
struct FormBody: Sendable, Equatable {
    enum Kind: String, Sendable {
        case json
        case urlEncoded = "urlencoded"
        case multipart
    }

    var kind: Kind
    /// The media type as sent, without parameters (`application/json`).
    var mediaType: String
    var fields: [String: String]

    /// Decodes `body` as `contentType` says: JSON (an object), `application/x-www-form-urlencoded` or
    /// `multipart/form-data` without files, all in UTF-8.
    static func decode(contentType: String?, body: [UInt8]) throws(IntakeError) -> FormBody {
        guard let contentType, let header = HeaderValue(parsing: contentType), !header.value.isEmpty else {
            throw IntakeError(
                .unsupportedMediaType,
                "send Content-Type application/json, application/x-www-form-urlencoded or multipart/form-data")
        }
        if let charset = header.parameters["charset"]?.lowercased(),
            !["utf-8", "utf8", "us-ascii"].contains(charset)
        {
            throw IntakeError(.unsupportedMediaType, "only UTF-8 bodies are accepted, not charset \(charset)")
        }
        let mediaType = header.value
        switch mediaType {
        case "application/json":
            return FormBody(kind: .json, mediaType: mediaType, fields: try JSONForm.decode(body))
        case _ where mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json"):
            return FormBody(kind: .json, mediaType: mediaType, fields: try JSONForm.decode(body))
        case "application/x-www-form-urlencoded":
            return FormBody(kind: .urlEncoded, mediaType: mediaType, fields: try URLEncodedForm.decode(body))
        case "multipart/form-data":
            guard let boundary = header.parameters["boundary"], (1...70).contains(boundary.utf8.count) else {
                throw IntakeError(.malformed, "multipart/form-data needs a boundary parameter of 1 to 70 characters")
            }
            return FormBody(
                kind: .multipart, mediaType: mediaType, fields: try MultipartForm.decode(body, boundary: boundary))
        default:
            throw IntakeError(
                .unsupportedMediaType,
                "\(mediaType) is not accepted: send application/json, application/x-www-form-urlencoded or multipart/form-data"
            )
        }
    }

    /// Collects fields in arrival order, joining repeated names.
    struct Builder {
        /// More fields than any form has: a guard against bodies made of thousands of tiny fields.
        static let maximumFields = 200

        private(set) var fields: [String: String] = [:]
        private var count = 0

        mutating func add(_ name: String, _ value: String) throws(IntakeError) {
            count += 1
            guard count <= Self.maximumFields else {
                throw IntakeError(.invalid, "a submission may have at most \(Self.maximumFields) fields")
            }
            if let existing = fields[name] {
                fields[name] = existing.isEmpty ? value : value.isEmpty ? existing : existing + ", " + value
            } else {
                fields[name] = value
            }
        }
    }

    /// Text from UTF-8 bytes, or a 400 naming `what` (built only then).
    static func utf8(_ bytes: some Collection<UInt8>, what: @autoclosure () -> String) throws(IntakeError) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw IntakeError(.malformed, "\(what()) is not valid UTF-8")
        }
        return text
    }
}
