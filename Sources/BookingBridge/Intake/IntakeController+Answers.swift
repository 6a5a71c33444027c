import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension IntakeController {
    /// The body of a success answer.
    struct Receipt: Encodable {
        var id: String
        var status: String
        var statusUrl: String
        /// A public source's visitor receipt (`VisitorReceipt`), for `GET /v1/intake/{source}/receipts/{receipt}`.
        var receipt: String?

        /// What `JSONCoding.encoder` writes, without its cost on the hot path.
        var json: String {
            var out = "{\"id\":"
            IntentJSON.appendString(id, to: &out)
            if let receipt {
                out += ",\"receipt\":"
                IntentJSON.appendString(receipt, to: &out)
            }
            out += ",\"status\":"
            IntentJSON.appendString(status, to: &out)
            out += ",\"statusUrl\":"
            IntentJSON.appendString(statusUrl, to: &out)
            return out + "}"
        }
    }

    /// 202 for a new intent, 200 with the first intent for a repeat, or for a browser's form navigation 303 to the
    /// source's `redirectUrl` (else to its booking page's result page). A spam intent looks like any received one.
    func answer(
        _ outcome: IntentStore.InsertOutcome, source: PreparedSource, request: Request, cors: HTTPFields,
        receipt: String? = nil
    ) throws -> Response {
        let record = outcome.record
        let id = record.id.lowercasedString
        let statusURL = statusURL(record.id)
        if let redirect = source.configuration.redirectUrl, AcceptPreference.prefersHTML(request.headers[.accept]) {
            var headers = cors
            headers[.location] = redirect + (redirect.contains("?") ? "&" : "?") + "intent=" + id
            return Response(status: .seeOther, headers: headers)
        }
        if let receipt, source.configuration.page?.enabled == true,
            AcceptPreference.prefersHTML(request.headers[.accept])
        {
            var headers = cors
            headers[.location] = "\(statusBase)/book/\(HubSpotPath.percentEncode(source.name))/done/\(receipt)"
            return Response(status: .seeOther, headers: headers)
        }
        let status = outcome.wasCreated || record.status == .spam ? IntentStatus.received : record.status
        var headers = cors
        headers[.location] = statusURL
        headers[.contentType] = "application/json"
        return Response(
            status: outcome.wasCreated ? .accepted : .ok, headers: headers,
            body: .init(
                byteBuffer: ByteBuffer(
                    string: Receipt(id: id, status: status.rawValue, statusUrl: statusURL, receipt: receipt).json)))
    }

    /// CORS headers for an answer to a public source's allowed browser origin; none otherwise.
    static func corsHeaders(source: PreparedSource, origin: String?) -> HTTPFields {
        guard case .public(let policy, _) = source.auth.mode, let origin,
            policy.allows(origin: origin, referer: nil)
        else { return [:] }
        return [
            .accessControlAllowOrigin: origin,
            .vary: "Origin",
            .accessControlExposeHeaders: "Location, Retry-After, X-Request-Id",
        ]
    }

    /// Request headers a browser may send with a post.
    static let allowedRequestHeaders: Set<String> = ["content-type", "idempotency-key", "x-request-id", "accept"]

    /// `OPTIONS /v1/intake/{source}`: CORS preflight for public sources and their allowed origins.
    func preflight(_ request: Request, context: BridgeRequestContext) throws -> Response {
        let source = try source(context)
        guard case .public(let policy, _) = source.auth.mode else {
            throw IntakeError(.forbidden, "this source does not take posts from browsers").problem()
        }
        guard let origin = request.headers[.origin], policy.allows(origin: origin, referer: nil) else {
            throw IntakeError(.forbidden, "this form may only be posted from its own web site").problem()
        }
        if let method = request.headers[.accessControlRequestMethod], method.uppercased() != "POST" {
            throw IntakeError(.forbidden, "only POST is allowed").problem()
        }
        let requested = (request.headers[.accessControlRequestHeaders] ?? "")
            .split(separator: ",").map { String($0).trimmingWhitespace().lowercased() }
            .filter { Self.allowedRequestHeaders.contains($0) }
        var headers = Self.corsHeaders(source: source, origin: origin)
        headers[.accessControlAllowMethods] = "POST, OPTIONS"
        headers[.accessControlAllowHeaders] =
            requested.isEmpty ? "Content-Type, Idempotency-Key" : requested.joined(separator: ", ")
        headers[.accessControlMaxAge] = "600"
        return Response(status: .noContent, headers: headers)
    }

    /// The page a browser gets for a 503: nothing was booked yet, go back and send the form again shortly.
    static func tryAgainPage(_ problem: Problem, cors: HTTPFields) -> Response {
        var headers = problem.headers
        for field in cors { headers.append(field) }
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.contentSecurityPolicy] = "default-src 'none'"
        let page = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
            <title>Please try again</title></head>
            <body><h1>Please try again in a moment</h1>
            <p>Your booking request could not be received just now. Nothing was booked. Go back and send the form
            again in a few seconds.</p></body></html>
            """
        return Response(
            status: .serviceUnavailable, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page)))
    }
}
