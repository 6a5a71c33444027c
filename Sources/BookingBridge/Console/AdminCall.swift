import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOFoundationCompat

/// Carries out a console action as the admin API call it is: the same route, body and checks as
/// `curl -H "Authorization: Bearer ..."`, answered in process. So nothing can be done by clicking that the API
/// cannot do, and an action is refused by the console exactly when the API would refuse it.
struct AdminCall: Sendable {
    let responder: any HTTPResponder<BridgeRequestContext>
    let token: String

    struct Answer: Sendable {
        var status: HTTPResponse.Status
        var body: Data

        var object: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }

        /// A problem answer's detail and field messages, for showing to the operator.
        var problemText: String {
            let object = self.object
            var parts = [object["detail"] as? String ?? object["title"] as? String ?? "refused (\(status.code))"]
            for error in object["errors"] as? [[String: Any]] ?? [] {
                parts.append("\(error["field"] as? String ?? ""): \(error["message"] as? String ?? "")")
            }
            return parts.joined(separator: "; ")
        }

        var isSuccess: Bool { (200..<300).contains(Int(status.code)) }
    }

    func callAsFunction(
        _ method: HTTPRequest.Method, _ path: String, json: [String: Any]? = nil, context: BridgeRequestContext
    ) async throws -> Answer {
        var fields: HTTPFields = [.authorization: "Bearer \(token)"]
        var body = ByteBuffer()
        if let json {
            fields[.contentType] = "application/json"
            body = ByteBuffer(data: try JSONSerialization.data(withJSONObject: json))
        }
        let request = Request(
            head: HTTPRequest(method: method, scheme: "http", authority: "console", path: path, headerFields: fields),
            body: RequestBody(buffer: body))
        let response = try await responder.respond(to: request, context: context)
        let collected = LockedValue(ByteBuffer())
        try await response.body.write(Collector(buffer: collected))
        return Answer(status: response.status, body: Data(buffer: collected.withLock { $0 }))
    }

    /// Gathers a response body in memory (admin answers are small).
    struct Collector: ResponseBodyWriter {
        let buffer: LockedValue<ByteBuffer>
        mutating func write(_ part: ByteBuffer) async throws {
            var part = part
            buffer.withLock { $0.writeBuffer(&part) }
        }
        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}
