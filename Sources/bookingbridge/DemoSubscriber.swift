import BookingBridge
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// The webhook receiver `bookingbridge dev` runs: verifies each delivery's Standard Webhooks signature and prints
/// the event, the way a downstream service would receive it.
final class DemoSubscriber: Sendable {
    let secret: StandardWebhooks.Secret
    private let port = Mutex<Int?>(nil)
    private let task = Mutex<Task<Void, any Error>?>(nil)

    init(secret: StandardWebhooks.Secret) { self.secret = secret }

    var url: String { "http://127.0.0.1:\(port.withLock { $0 } ?? 0)/webhooks" }

    func start(logger: Logger) async throws {
        let router = Router()
        let secret = self.secret
        router.post("webhooks") { request, _ -> HTTPResponse.Status in
            let body = try await request.body.collect(upTo: 1 << 20)
            let bytes = Array(buffer: body)
            let verdict: String
            do {
                try StandardWebhooks.verify(
                    id: request.headers[.webhookID], timestamp: request.headers[.webhookTimestamp],
                    signatureHeader: request.headers[.webhookSignature], body: bytes, secrets: [secret])
                verdict = "signature verified"
            } catch {
                verdict = "SIGNATURE INVALID: \(error)"
            }
            Self.print(body: bytes, id: request.headers[.webhookID] ?? "?", verdict: verdict)
            return .noContent
        }
        var quiet = logger
        quiet.logLevel = .critical
        let bound = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                bound.continuation.yield(channel.localAddress?.port ?? 0)
                bound.continuation.finish()
            }, logger: quiet)
        task.withLock { $0 = Task { try await app.run() } }
        for await p in bound.stream { port.withLock { $0 = p } }
    }

    func stop() {
        task.withLock { $0?.cancel() }
    }

    private static func print(body: [UInt8], id: String, verdict: String) {
        var line = "\n📬 demo subscriber received webhook \(id) (\(verdict))"
        if let object = try? JSONSerialization.jsonObject(with: Data(body)),
            let pretty = try? JSONSerialization.data(
                withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        {
            line += "\n" + String(decoding: pretty, as: UTF8.self)
        }
        Swift.print(line)
        fflush(nil)
    }
}
