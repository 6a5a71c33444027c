import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOFoundationEssentialsCompat

/// An error answer in `application/problem+json` (RFC 9457), with a list of field errors where input was wrong.
public struct Problem: Error, HTTPResponseError, Sendable, CustomStringConvertible {
    /// One wrong input in `errors` (`ProblemFieldError`, which compiles without Hummingbird).
    public typealias FieldError = ProblemFieldError

    public var status: HTTPResponse.Status
    public var title: String
    public var detail: String?
    public var errors: [FieldError]
    public var headers: HTTPFields

    public init(
        _ status: HTTPResponse.Status, title: String? = nil, detail: String? = nil, errors: [FieldError] = [],
        headers: HTTPFields = [:]
    ) {
        self.status = status
        self.title = title ?? status.reasonPhrase
        self.detail = detail
        self.errors = errors
        self.headers = headers
    }

    /// The answer while the database cannot be reached or does not answer in time: try again shortly.
    public static let databaseUnavailable = Problem(
        .serviceUnavailable,
        detail: "the database is unavailable; nothing was changed as far as the bridge knows: try again shortly",
        headers: [.retryAfter: "5"])

    public var description: String { "\(status.code) \(title)\(detail.map { ": \($0)" } ?? "")" }

    struct Body: Encodable {
        var type: String
        var title: String
        var status: Int
        var detail: String?
        var instance: String?
        var errors: [FieldError]
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = Body(
            type: "about:blank", title: title, status: status.code, detail: detail, instance: request.uri.path,
            errors: errors)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var headers = headers
        headers[.contentType] = "application/problem+json"
        return Response(
            status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(data: try encoder.encode(body))))
    }
}

extension Response {
    /// A JSON answer with stable key order.
    public static func json(
        _ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]
    )
        throws -> Response
    {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(
            status: status, headers: headers,
            body: .init(byteBuffer: ByteBuffer(data: try JSONCoding.encoder.encode(value))))
    }
}
