import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Admits requests that carry `Authorization: Bearer <admin token>`; answers 401 otherwise (also while no admin
/// token is configured).
public struct AdminAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String?

    public init(token: String?) { self.token = token }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        guard let token, !token.isEmpty else {
            throw Problem(.unauthorized, detail: "admin routes are disabled: set BRIDGE_ADMIN_TOKEN")
        }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
            ConstantTime.equal(Array(header.utf8.dropFirst(7)), Array(token.utf8))
        else {
            throw Problem(
                .unauthorized, detail: "send Authorization: Bearer <BRIDGE_ADMIN_TOKEN>",
                headers: [.wwwAuthenticate: "Bearer"])
        }
        return try await next(request, context)
    }

}

/// The admin token never shows in a description (see `Redaction`).
extension AdminAuthMiddleware: CustomStringConvertible, CustomReflectable {
    public var customMirror: Mirror {
        Mirror(self, children: ["token": Redaction.mask(token) as Any], displayStyle: .struct)
    }

    public var description: String { "AdminAuthMiddleware(token: \(Redaction.mask(token) ?? "nil"))" }
}
