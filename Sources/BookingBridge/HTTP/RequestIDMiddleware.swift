import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Accepts `X-Request-Id` (or makes one), puts it on the request's log lines and echoes it on the answer.
public struct RequestIDMiddleware: RouterMiddleware {
    public typealias Context = BridgeRequestContext

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        var context = context
        let offered = request.headers[.xRequestID].flatMap { id in
            id.count <= 128 && id.allSatisfy({ $0.isASCII && !$0.isWhitespace }) ? id : nil
        }
        let id = offered ?? UUID.random().lowercasedString
        context.requestID = id
        context.logger[metadataKey: "request_id"] = "\(id)"
        var response = try await next(request, context)
        response.headers[.xRequestID] = id
        return response
    }
}
