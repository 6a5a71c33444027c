import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// One HTTP exchange with HubSpot: sends, reads the whole answer within the call's timeout, and tells precisely
/// whether a request that got no answer may have been sent. Knows nothing of tokens, budgets or classification.
struct HubSpotTransport: Sendable {
    let httpClient: HTTPClient
    let baseURL: String
    let requestTimeout: TimeAmount
    /// Answers larger than this are refused (HubSpot's are a few kilobytes; availability pages tens of them).
    let maxResponseBytes = 8 << 20

    init(httpClient: HTTPClient, baseURL: String, requestTimeoutSeconds: Double) {
        self.httpClient = httpClient
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.requestTimeout = .milliseconds(Int64((requestTimeoutSeconds * 1000).rounded()))
    }

    /// A complete answer.
    struct Response: Sendable {
        var status: Int
        /// Header names lower-cased; a repeated header keeps its first value.
        var headers: [String: String]
        var body: ByteBuffer
        var durationMillis: Int64
    }

    /// No complete answer.
    struct Failure: Error {
        var kind: HubSpotTransportFailure
        /// False only when the request certainly never left this process.
        var mayHaveBeenSent: Bool
        var underlying: any Error
        var durationMillis: Int64
    }

    /// Sends one request. A body is streamed so that the moment AsyncHTTPClient asks for it (after the request
    /// head went out on a connection) is known: a failure before that proves nothing was sent.
    func send(
        method: HTTPMethod, path: String, headers: [(String, String)], body: ByteBuffer?
    ) async throws(Failure) -> Response {
        let started = ContinuousClock.now
        let deadline = NIODeadline.now() + requestTimeout
        let sent = SentFlag()
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.body = .stream(TrackedBody(buffer: body, sent: sent), length: .known(Int64(body.readableBytes)))
        }
        do {
            let (httpClient, limit, request) = (self.httpClient, maxResponseBytes, request)
            // A cancelled caller (a shutdown past its grace) is not kept waiting by a request that is.
            let (status, names, bytes) = try await abandoningOnCancel {
                let response = try await httpClient.execute(request, deadline: deadline)
                let bytes = try await Self.withDeadline(deadline) { try await response.body.collect(upTo: limit) }
                var names: [String: String] = [:]
                for (name, value) in response.headers where names[name.lowercased()] == nil {
                    names[name.lowercased()] = value
                }
                return (Int(response.status.code), names, bytes)
            }
            return Response(
                status: status, headers: names, body: bytes, durationMillis: Self.millis(ContinuousClock.now - started))
        } catch {
            let kind = HubSpotTransportFailure(error)
            let mayHaveBeenSent: Bool
            if kind.provesNotSent {
                mayHaveBeenSent = false
            } else if body != nil {
                mayHaveBeenSent = sent.value
            } else {
                mayHaveBeenSent = true
            }
            throw Failure(
                kind: kind, mayHaveBeenSent: mayHaveBeenSent, underlying: error,
                durationMillis: Self.millis(ContinuousClock.now - started))
        }
    }

    static func millis(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }

    /// Runs `operation`, throwing `HubSpotCallTimeout` (and cancelling it) when `deadline` passes first.
    static func withDeadline<T: Sendable>(
        _ deadline: NIODeadline, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                let nanos = (deadline - NIODeadline.now()).nanoseconds
                if nanos > 0 { try await Task.sleep(nanoseconds: UInt64(nanos)) }
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else { throw HubSpotCallTimeout() }
            return value
        }
    }
}
