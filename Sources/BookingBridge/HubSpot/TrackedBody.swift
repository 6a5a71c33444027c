import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// A one-chunk request body that marks `sent` when read.
struct TrackedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let buffer: ByteBuffer
    let sent: SentFlag

    struct AsyncIterator: AsyncIteratorProtocol {
        var buffer: ByteBuffer?
        let sent: SentFlag

        mutating func next() async -> ByteBuffer? {
            sent.mark()
            defer { buffer = nil }
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(buffer: buffer, sent: sent) }
}
