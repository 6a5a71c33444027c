import NIOCore
import NIOHTTPTypes

/// Carries out `ConnectionDeadlines` on one HTTP connection: it closes a connection whose request head is late or
/// that sat idle too long.
///
/// It sits first in the pipeline, ahead of the HTTP decoder, so it sees the first byte of a request (which a
/// half-sent head never gets past the decoder with); its `PartObserver`, placed after the decoder, tells it when a
/// head was complete and when an answer ended. Both run on the channel's event loop.
final class ConnectionDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private var deadlines: ConnectionDeadlines
    private var timer: Scheduled<Void>?
    private var context: ChannelHandlerContext?
    private var started = false

    init(headerTimeout: Duration, idleTimeout: Duration) {
        deadlines = ConnectionDeadlines(
            headerTimeout: .nanoseconds(Int64(headerTimeout.milliseconds) * 1_000_000),
            idleTimeout: .nanoseconds(Int64(idleTimeout.milliseconds) * 1_000_000))
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { start() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        start()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        perform(deadlines.bytesArrived(at: .now()))
        context.fireChannelRead(data)
    }

    private func start() {
        guard !started else { return }
        started = true
        perform(deadlines.opened(at: .now()))
    }

    fileprivate func headReceived() { perform(deadlines.headReceived()) }

    fileprivate func responseFinished() { perform(deadlines.responseFinished(at: .now())) }

    private func perform(_ action: ConnectionDeadlines.Action) {
        guard let context else { return }
        switch action {
        case .schedule(let deadline):
            timer?.cancel()
            timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [weak self] in
                guard let self else { return }
                self.timer = nil
                self.perform(self.deadlines.timerFired(at: .now()))
            }
        case .cancel:
            timer?.cancel()
            timer = nil
        case .close:
            timer = nil
            context.close(promise: nil)
        case .none:
            break
        }
    }

    /// Reports complete request heads and finished answers to the `ConnectionDeadlineHandler` of its pipeline
    /// (added to the HTTP/1 channel's handlers, after the decoder).
    final class PartObserver: ChannelDuplexHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPRequestPart
        typealias InboundOut = HTTPRequestPart
        typealias OutboundIn = HTTPResponsePart
        typealias OutboundOut = HTTPResponsePart

        private var owner: ConnectionDeadlineHandler?

        init() {}

        func handlerAdded(context: ChannelHandlerContext) {
            owner = try? context.pipeline.syncOperations.handler(type: ConnectionDeadlineHandler.self)
        }

        func handlerRemoved(context: ChannelHandlerContext) { owner = nil }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if case .head = unwrapInboundIn(data) { owner?.headReceived() }
            context.fireChannelRead(data)
        }

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            let isEnd = if case .end = unwrapOutboundIn(data) { true } else { false }
            context.write(data, promise: promise)
            if isEnd { owner?.responseFinished() }
        }
    }
}

@available(*, unavailable)
extension ConnectionDeadlineHandler: Sendable {}
