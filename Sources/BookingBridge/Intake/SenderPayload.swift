import Crypto
import Foundation

/// A form service's post read into flat fields named the way the service names them, and the service's own id of
/// the submission. Pure: the body and the headers in, fields out.
///
/// Each kind has its reader (`SenderPayload+<Kind>.swift`); `SubmissionMapper` then maps the fields as for any
/// form, so a source's `fields`, `formFields` and `consent` name fields by the sender's references.
struct SenderPayload: Sendable, Equatable {
    /// Reference → value as text.
    var fields: [String: String]
    /// The sender's own id of the submission (its retries carry the same one), if the payload has one.
    var senderID: String?

    /// Reads `body` as `kind` sends it. `references` are the fields the source asks for (used by `json`, whose
    /// references are paths); `header` reads a request header by its lower-case name.
    static func read(
        kind: SourceConfiguration.Kind, contentType: String?, body: [UInt8], references: [String],
        idempotencyPath: String? = nil, header: (String) -> String? = { _ in nil }
    ) throws(IntakeError) -> SenderPayload {
        switch kind {
        case .form:
            return SenderPayload(fields: try FormBody.decode(contentType: contentType, body: body).fields)
        case .jotform:
            return try jotform(try FormBody.decode(contentType: contentType, body: body).fields)
        case .typeform:
            return try typeform(try json(contentType: contentType, body: body))
        case .tally:
            return try tally(try json(contentType: contentType, body: body))
        case .webflow:
            return try webflow(try json(contentType: contentType, body: body))
        case .hubspot:
            var payload = try hubspot(try json(contentType: contentType, body: body))
            payload.senderID =
                header("x-hubspot-request-id").flatMap { $0.isEmpty ? nil : $0 } ?? "body:" + digest(body)
            return payload
        case .json:
            return try jsonPaths(
                try json(contentType: contentType, body: body), references: references,
                idempotencyPath: idempotencyPath)
        }
    }

    /// A JSON body (`application/json` or `application/*+json`), nested at most `JSONForm.maximumDepth` levels.
    static func json(contentType: String?, body: [UInt8]) throws(IntakeError) -> JSONValue {
        let mediaType = contentType.flatMap(HeaderValue.init(parsing:))?.value ?? ""
        guard mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json"))
        else {
            throw IntakeError(.unsupportedMediaType, "this source reads JSON: send Content-Type application/json")
        }
        guard JSONForm.nestingDepth(body) <= JSONForm.maximumDepth else {
            throw IntakeError(.malformed, "the JSON body is nested more than \(JSONForm.maximumDepth) levels deep")
        }
        do {
            return try JSONDecoder().decode(JSONValue.self, from: Data(body))
        } catch {
            throw IntakeError(.malformed, "the body is not JSON in UTF-8")
        }
    }

    /// Lower-case hex SHA-256, for senders without an id of their own.
    static func digest(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// A submission id as an idempotency key: printable ASCII, at most 200 characters, else a digest of it.
    static func senderKey(_ id: String) -> String {
        if (1...200).contains(id.utf8.count), id.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return id }
        return "sha256:" + digest(Array(id.utf8))
    }
}
