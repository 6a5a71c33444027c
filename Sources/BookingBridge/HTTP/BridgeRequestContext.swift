import Hummingbird
import Logging
import NIOCore

/// The request context of every bridge route: Hummingbird's core storage, the peer's address (for per-client
/// limits and the stored client IP) and the request id.
public struct BridgeRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// Accepted from `X-Request-Id` or made up; echoed on the answer and put on every log line.
    public var requestID: String = ""

    /// The client's address as text (`nil` for a Unix socket or an unknown peer): the peer's, or the one a trusted
    /// proxy named (`ClientAddressMiddleware`). Per-client limits and the stored client IP use it.
    public var clientIP: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.clientIP = remoteAddress?.ipAddress
    }
}
