import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A plain TCP connection to the bridge for tests that need what an HTTP client will not do: send half a request
/// head, hold a socket idle, or hang up in the middle of a body.
struct RawConnection: Sendable {
    let channel: any Channel
    private let received: Received

    /// Bytes read so far; the handler fills them on the event loop.
    private final class Received: Sendable {
        let bytes = Mutex<[UInt8]>([])
    }

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let received: Received
        init(_ received: Received) { self.received = received }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            received.bytes.withLock { $0 += buffer.readableBytesView }
        }
    }

    static func open(port: Int) async throws -> RawConnection {
        let received = Received()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(received))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return RawConnection(channel: channel, received: received)
    }

    func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text))
    }

    /// Everything the server sent so far, as text.
    var text: String { String(decoding: received.bytes.withLock { $0 }, as: UTF8.self) }

    var isOpen: Bool { channel.isActive }

    /// How long after now the server closed the connection, or `nil` if it is still open after `limit`.
    func closed(within limit: Duration) async -> Duration? {
        let started = ContinuousClock.now
        let deadline = started + limit
        while ContinuousClock.now < deadline {
            if !channel.isActive { return ContinuousClock.now - started }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return channel.isActive ? nil : ContinuousClock.now - started
    }

    /// Waits until a whole answer has arrived (its head and `Content-Length` bytes of body) and returns its status
    /// code, or `nil` when none completes within `limit`. `consumed` answers already read are skipped.
    func status(after consumed: Int = 0, within limit: Duration = .seconds(10)) async -> Int? {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            let answers = Self.answers(in: text)
            if answers.count > consumed { return answers[consumed] }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    func close() async {
        try? await channel.close()
    }

    /// The status codes of the complete answers in `text`.
    static func answers(in text: String) -> [Int] {
        var statuses: [Int] = []
        var rest = Substring(text)
        while let headEnd = rest.range(of: "\r\n\r\n") {
            let head = rest[..<headEnd.lowerBound]
            let lines = head.split(separator: "\r\n")
            guard let statusLine = lines.first, statusLine.hasPrefix("HTTP/1.1 "),
                let code = Int(statusLine.dropFirst(9).prefix(3))
            else { break }
            let length =
                lines.dropFirst().compactMap { line -> Int? in
                    let parts = line.split(separator: ":", maxSplits: 1)
                    guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
                    return Int(parts[1].trimmingCharacters(in: .whitespaces))
                }.first ?? 0
            let body = rest[headEnd.upperBound...]
            guard body.utf8.count >= length else { break }
            statuses.append(code)
            rest = Substring(String(decoding: body.utf8.dropFirst(length), as: UTF8.self))
        }
        return statuses
    }
}
