import AsyncHTTPClient
import NIOCore
import NIOPosix

/// The HTTP client webhooks should be sent with.
///
/// Redirects are never followed, a failed connection fails the attempt at once (the dispatcher's schedule does
/// the retrying), and every new connection's peer address is checked by the destination guard before a byte is
/// written. The last point closes the gap between the dispatcher's own resolution and the client's second one (DNS
/// rebinding) for https, where the request cannot simply be sent to the checked address because TLS needs the name.
public enum WebhookHTTPClient {
    public static func configuration(settings: WebhookSettings) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(
            connect: .milliseconds(Int64(min(settings.timeoutSeconds, 10) * 1000)),
            read: .milliseconds(Int64(settings.timeoutSeconds * 1000)))
        configuration.connectionPool.retryConnectionEstablishment = false
        // The bridge exports no traces; without this every request builds span attributes for the no-op tracer.
        configuration.tracing.tracer = nil
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(8, settings.workers)
        let destinationGuard = DestinationGuard(allowed: settings.allowDestinations.compactMap { try? CIDR($0) })
        let check: @Sendable (any Channel) -> EventLoopFuture<Void> = { channel in
            checkPeer(of: channel, guard: destinationGuard)
        }
        configuration.http1_1ConnectionDebugInitializer = check
        configuration.http2ConnectionDebugInitializer = check
        return configuration
    }

    /// A client with `configuration(settings:)`; the caller shuts it down.
    public static func make(
        settings: WebhookSettings, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    )
        -> HTTPClient
    {
        HTTPClient(eventLoopGroupProvider: .shared(eventLoopGroup), configuration: configuration(settings: settings))
    }

    /// Succeeds when the connection's peer may be reached; otherwise closes it and fails with the guard's reason.
    static func checkPeer(of channel: any Channel, guard destinationGuard: DestinationGuard) -> EventLoopFuture<Void> {
        let refusal: DestinationGuard.Refusal?
        if let text = channel.remoteAddress?.ipAddress, let address = IPAddress(text) {
            refusal = destinationGuard.refusal(for: address)
        } else {
            refusal = DestinationGuard.Refusal("the connection has no IP peer address to check")
        }
        guard let refusal else { return channel.eventLoop.makeSucceededVoidFuture() }
        return channel.close().flatMapThrowing { throw refusal }.flatMapErrorThrowing { _ in throw refusal }
    }
}
