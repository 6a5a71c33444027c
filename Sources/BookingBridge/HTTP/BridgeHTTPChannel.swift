import HummingbirdCore
import Logging
import NIOCore

/// The bridge's HTTP/1 child channel: Hummingbird's `HTTP1Channel`, with the connection deadlines of
/// `ServerSettings` (`ConnectionDeadlineHandler`) and a cap on open connections.
///
/// A connection over `maxConnections` is closed as soon as it is accepted, before any HTTP handler is added, so it
/// never reaches a route (Hummingbird's own limit would leave it waiting in the accept backlog instead). The count is
/// of live child channels: a connection counts from its setup until it closes.
struct BridgeHTTPChannel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let http1: HTTP1Channel
    let settings: ServerSettings
    let gate: ConnectionGate

    /// - Parameter responder: what Hummingbird's `HTTPServerBuilder` hands the child channel.
    init(responder: @escaping HTTPChannelHandler.Responder, settings: ServerSettings) {
        self.http1 = HTTP1Channel(
            responder: responder,
            configuration: .init(additionalChannelHandlers: [ConnectionDeadlineHandler.PartObserver()]))
        self.settings = settings
        self.gate = ConnectionGate(limit: settings.maxConnections)
    }

    /// The server builder `Application` takes.
    static func builder(settings: ServerSettings) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in BridgeHTTPChannel(responder: responder, settings: settings) }
    }

    /// Thrown from `setup` for a connection over the cap; NIO then drops the channel (already closed here).
    struct OverCapacity: Error {}

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        guard gate.enter() else {
            logger.debug("closing a connection over server.maxConnections", metadata: ["limit": "\(gate.limit)"])
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(OverCapacity())
        }
        let gate = self.gate
        channel.closeFuture.whenComplete { _ in gate.leave() }
        do {
            try channel.pipeline.syncOperations.addHandler(
                ConnectionDeadlineHandler(headerTimeout: settings.headerTimeout, idleTimeout: settings.idleTimeout),
                position: .first)
        } catch {
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(error)
        }
        return http1.setup(channel: channel, logger: logger).map { value in
            // An accepted connection that the server stops before it handles it (a shutdown while connections
            // arrive) is dropped with its NIOAsyncChannel unfinished, and NIO traps when that channel's writer is
            // released ("Deinited NIOAsyncWriter without calling finish()", apple/swift-nio#2813, seen once in the
            // test suite). Holding the value until the connection closes (the connection deadlines close an
            // unserved one) and finishing its writer then takes that trap away; for a served connection the finish
            // comes after Hummingbird's own and changes nothing.
            channel.closeFuture.whenComplete { _ in value.outbound.finish() }
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }
}
