import HTTPTypes
import Hummingbird

/// Sets `BridgeRequestContext.clientIP` from the forwarding headers when the peer is one of `server.trustedProxies`
/// (`ClientAddress.resolve`); from any other peer, and when no proxy is trusted, those headers are ignored.
public struct ClientAddressMiddleware: RouterMiddleware {
    public typealias Context = BridgeRequestContext

    let trustedProxies: [CIDR]

    public init(trustedProxies: [CIDR]) { self.trustedProxies = trustedProxies }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        guard !trustedProxies.isEmpty, let peer = context.clientIP.flatMap({ IPAddress($0) }) else {
            return try await next(request, context)
        }
        var context = context
        context.clientIP =
            ClientAddress.resolve(
                peer: peer, forwarded: request.headers[values: .forwarded],
                xForwardedFor: request.headers[values: .xForwardedFor], trustedProxies: trustedProxies)?
            .description
        return try await next(request, context)
    }
}

extension HTTPField.Name {
    /// RFC 7239.
    static let forwarded = Self("Forwarded")!
    static let xForwardedFor = Self("X-Forwarded-For")!
}
