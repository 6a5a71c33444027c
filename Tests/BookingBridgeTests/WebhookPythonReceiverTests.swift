import AsyncHTTPClient
import BookingBridge
import Foundation
import NIOCore
import NIOFoundationCompat
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Deliveries checked by the reference implementation: Python's `standardwebhooks` package
/// (Tests/webhooks/verify_receiver.py), across two secret rotations.
@Suite("Webhook signatures verified by the Python standardwebhooks library", .serialized)
struct WebhookPythonReceiverTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("webhooks/verify_receiver.py").path

    /// True when `python3` runs and can import the package (`pip install standardwebhooks`).
    static let available: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import standardwebhooks"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus == 0
        } catch {
            return false
        }
    }()

    struct Result: Decodable {
        var id: String?
        var verifiedWith: [String]
        var signatures: Int
        var type: String?
    }

    @Test(
        "every delivery verifies with the right secrets before, during and after a rotation",
        .enabled(
            if: available, "skipped: python3 with the standardwebhooks package is needed (pip install standardwebhooks)"
        ))
    func pythonVerifiesAcrossRotation() async throws {
        let first = StandardWebhooks.Secret.generate().text
        let second = StandardWebhooks.Secret.generate().text
        let third = StandardWebhooks.Secret.generate().text
        let portFile = FileManager.default.temporaryDirectory.appendingPathComponent("whport-\(UUID().uuidString)").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", Self.script, "--port-file", portFile, "--secret", "first=\(first)", "--secret",
            "second=\(second)",
            "--secret", "third=\(third)",
        ]
        try process.run()
        defer {
            // SIGKILL: the test process may ignore SIGTERM (inherited by children), and waiting must not hang.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            try? FileManager.default.removeItem(atPath: portFile)
        }
        try await eventually(timeout: .seconds(20), "the Python receiver to start") {
            FileManager.default.fileExists(atPath: portFile)
        }
        let port = try #require(Int(try String(contentsOfFile: portFile, encoding: .utf8)))
        try await TestWebhooks.run { h in
            @Sendable func results() async throws -> [Result] {
                let response = try await h.http.execute(
                    HTTPClientRequest(url: "http://127.0.0.1:\(port)/results"), timeout: .seconds(5))
                let body = try await response.body.collect(upTo: 1 << 20)
                return try JSONDecoder().decode([Result].self, from: Data(body.readableBytesView))
            }
            let store = SubscriptionStore(database: h.database)
            let subscription = try await store.create(
                NewSubscription(url: "http://127.0.0.1:\(port)/hook", eventTypes: ["booking.*"], secret: first))
            try await h.withDispatcher { _ in
                let before = try await h.enqueue()
                try await eventually("first delivery") { try await results().count == 1 }
                _ = try await store.rotateSecret(id: subscription.id, newSecret: second, overlap: .seconds(3600))
                let during = try await h.enqueue(type: WebhookEventType.bookingFailed)
                try await eventually("second delivery") { try await results().count == 2 }
                _ = try await store.rotateSecret(id: subscription.id, newSecret: third, overlap: .zero)
                let after = try await h.enqueue(type: WebhookEventType.bookingNeedsReview)
                try await eventually("third delivery") { try await results().count == 3 }
                let seen = try await results()
                #expect(seen.map(\.id) == [before, during, after])
                #expect(seen[0].verifiedWith == ["first"])
                #expect(Set(seen[1].verifiedWith) == ["first", "second"], "during the overlap both secrets verify")
                #expect(seen[1].signatures == 2)
                #expect(seen[2].verifiedWith == ["third"], "after an overlap of zero only the newest secret signs")
                #expect(seen.map(\.type) == ["booking.confirmed", "booking.failed", "booking.needs_review"])
            }
        }
    }
}
