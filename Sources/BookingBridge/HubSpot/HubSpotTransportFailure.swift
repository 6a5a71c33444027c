import AsyncHTTPClient
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What went wrong below HTTP when no complete answer was seen.
public enum HubSpotTransportFailure: String, Sendable, Hashable {
    /// No connection could be made (refused, unreachable, DNS, TLS, connect timeout): nothing was sent.
    case notConnected = "not_connected"
    /// The call's time ran out after the request may have been sent.
    case timedOut = "timed_out"
    /// The connection closed or was reset before the answer was complete.
    case connectionClosed = "connection_closed"
    /// The calling task was cancelled (e.g. graceful shutdown).
    case cancelled
    /// Anything else below HTTP.
    case other

    /// Sorts an error thrown by AsyncHTTPClient or SwiftNIO.
    public init(_ error: any Error) {
        switch error {
        case is CancellationError:
            self = .cancelled
        case is NIOConnectionError:
            self = .notConnected
        case let error as HTTPClientError:
            self = Self.kind(of: error)
        case let error as ChannelError:
            switch error {
            case .connectTimeout: self = .notConnected
            case .ioOnClosedChannel, .eof, .alreadyClosed, .outputClosed, .inputClosed: self = .connectionClosed
            default: self = .other
            }
        case let error as IOError:
            switch error.errnoCode {
            case ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL: self = .notConnected
            case ECONNRESET, EPIPE, ECONNABORTED: self = .connectionClosed
            case ETIMEDOUT: self = .timedOut
            default: self = .other
            }
        case is HubSpotCallTimeout:
            self = .timedOut
        default:
            self = .other
        }
    }

    /// True when the failure proves the request never left this process.
    public var provesNotSent: Bool { self == .notConnected }

    private static func kind(of error: HTTPClientError) -> HubSpotTransportFailure {
        switch error {
        case .connectTimeout, .getConnectionFromPoolTimeout, .tlsHandshakeTimeout, .socksHandshakeTimeout,
            .httpProxyHandshakeTimeout, .invalidURL, .emptyHost, .emptyScheme, .alreadyShutdown:
            return .notConnected
        case .deadlineExceeded, .readTimeout, .writeTimeout:
            return .timedOut
        case .remoteConnectionClosed, .bodyLengthMismatch:
            return .connectionClosed
        case .cancelled:
            return .cancelled
        default:
            return .other
        }
    }
}
