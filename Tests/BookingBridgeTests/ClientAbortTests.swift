import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import Testing

@testable import BookingBridge

/// A client that hangs up in the middle of its body is counted as a client abort, not as a server error.
@Suite("Client aborts", .serialized)
struct ClientAbortTests {
    /// The value of the first `/metrics` sample whose line starts with `prefix`, 0 when there is none.
    static func sample(_ text: String, _ prefix: String) -> Double {
        text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { $0.split(separator: " ").last }
            .flatMap { Double($0) } ?? 0
    }

    static let intakeRequests = #"bookingbridge_http_requests_total{method="POST",route="/v1/intake/{source}",status="#

    @Test("a body cut off mid-way is counted as client_abort, not 500, and nothing is stored")
    func midBody() async throws {
        try await TestBridge.run { bridge in
            let port = try await bridge.bridge.boundPort.wait()
            let before = String(decoding: try await bridge.request(.GET, "/metrics").body, as: UTF8.self)
            let body =
                #"{"email": "abort@lovelace.dev", "firstName": "Ada", "lastName": "Lovelace", "startTime": "2030-01-01T10:00:00Z"}"#
            for _ in 0..<3 {
                let connection = try await RawConnection.open(port: port)
                try await connection.send(
                    "POST /v1/intake/web HTTP/1.1\r\nHost: bridge\r\nContent-Type: application/json\r\n"
                        + "Content-Length: \(body.utf8.count)\r\n\r\n" + String(body.prefix(40)))
                try await Task.sleep(for: .milliseconds(100))
                await connection.close()
            }
            var after = ""
            let deadline = ContinuousClock.now + .seconds(10)
            repeat {
                try await Task.sleep(for: .milliseconds(100))
                after = String(decoding: try await bridge.request(.GET, "/metrics").body, as: UTF8.self)
            } while Self.sample(after, Self.intakeRequests + #""client_abort"}"#)
                - Self.sample(before, Self.intakeRequests + #""client_abort"}"#) < 3 && ContinuousClock.now < deadline
            #expect(
                Self.sample(after, Self.intakeRequests + #""client_abort"}"#)
                    - Self.sample(before, Self.intakeRequests + #""client_abort"}"#) == 3)
            #expect(
                Self.sample(after, Self.intakeRequests + #""500"}"#)
                    == Self.sample(before, Self.intakeRequests + #""500"}"#),
                "no 500 counted")
            #expect(
                Self.sample(after, #"bookingbridge_intake_submissions_total{outcome="client_abort",source="web"}"#)
                    - Self.sample(
                        before, #"bookingbridge_intake_submissions_total{outcome="client_abort",source="web"}"#)
                    == 3)
            #expect(try await bridge.count("SELECT count(*)::int FROM intents") == 0, "nothing is stored")
        }
    }

    @Test("only a peer that went away counts as a client abort")
    func classification() {
        #expect(ClientAbort.isClientAbort(HTTPParserError.invalidEOFState))
        #expect(ClientAbort.isClientAbort(IOError(errnoCode: ECONNRESET, reason: "read")))
        #expect(ClientAbort.isClientAbort(ChannelError.eof))
        #expect(!ClientAbort.isClientAbort(HTTPParserError.invalidCharactersUsed), "a malformed request is a 400")
        #expect(!ClientAbort.isClientAbort(IOError(errnoCode: EMFILE, reason: "accept")))
        #expect(!ClientAbort.isClientAbort(TestFailure("a bug of ours")))
        #expect(HTTPMetricsMiddleware<BridgeRequestContext>.statusLabel(nil) == "client_abort")
        #expect(HTTPMetricsMiddleware<BridgeRequestContext>.statusLabel(.internalServerError) == "500")
    }
}
