import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The client went away before its request was read to the end: it hung up in the middle of the body, or reset the
/// connection.
///
/// Nothing is wrong with the bridge then and nobody is left to answer, so `ProblemMiddleware` logs it at debug level
/// and throws this instead of a 500, and `HTTPMetricsMiddleware` counts it with the status label `client_abort`. Its
/// own answer (a 400 with no body) goes to a closed connection.
public struct ClientAbort: HTTPResponseError, CustomStringConvertible {
    /// The error the request body's stream ended with.
    public let cause: any Error

    public init(cause: any Error) { self.cause = cause }

    public var status: HTTPResponse.Status { .badRequest }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: status, headers: [.connection: "close"])
    }

    public var description: String { "the client closed the connection before its request was read: \(cause)" }

    /// Whether `error` says that the peer closed or reset the connection while its request was being read (never
    /// an error of the bridge's own making).
    public static func isClientAbort(_ error: any Error) -> Bool {
        switch error {
        case let parser as HTTPParserError:
            // The decoder saw the end of the stream inside a request.
            return parser == .invalidEOFState
        case let io as IOError:
            return io.errnoCode == ECONNRESET || io.errnoCode == EPIPE
        case let channel as ChannelError:
            return channel == .eof || channel == .ioOnClosedChannel || channel == .alreadyClosed
                || channel == .inputClosed
        default:
            return false
        }
    }
}
