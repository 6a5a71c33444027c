import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Makes one delivery attempt: resolves and checks the destination, signs, sends, and reads the answer. Knows
/// nothing of the database; the dispatcher records what it returns.
struct WebhookSender: Sendable {
    let httpClient: HTTPClient
    let resolver: any HostResolver
    let destinationGuard: DestinationGuard
    let timeout: Duration
    let userAgent: String
    /// `server.publicURL`, for the console links in chat messages.
    var publicURL: String? = nil
    /// Parsed subscription URLs and secrets, so each delivery does not parse its subscription's again.
    let parsed = ParsedSubscriptions()
    /// Parsed templates of `template` subscriptions.
    let templates = ParsedTemplates()

    /// How much of an answer's body is kept.
    static let keptBodyBytes = 2048
    /// How much is read before the rest is dropped (the connection is then closed).
    static let readBodyBytes = 64 * 1024

    struct Attempt: Sendable {
        var result: WebhookAttemptResult
        var address: String?
        var responseBody: String?
        var error: String?
    }

    /// The bytes to send and their content type: the event as stored for `standard` subscriptions, else the
    /// subscription's format or template rendered from it.
    private func payload(_ delivery: ClaimedDelivery) -> Result<(ByteBuffer, String), WebhookTemplate.Invalid> {
        guard delivery.format != .standard else {
            return .success((ByteBuffer(string: delivery.body), "application/json"))
        }
        return WebhookPayload.make(delivery, publicURL: publicURL, templates: templates).map {
            (ByteBuffer(string: $0.body), $0.contentType)
        }
    }

    /// Sends `delivery` once. Throws only `CancellationError` (the dispatcher was stopped hard: nothing is
    /// recorded and the lease lets another dispatcher send it again).
    func send(_ delivery: ClaimedDelivery) async throws -> Attempt {
        let destination: Destination
        switch parsed.destination(delivery.url) {
        case .success(let parsed): destination = parsed
        case .failure(let refusal): return Attempt(result: .refused, error: "invalid URL: \(refusal)")
        }
        let url = destination.url
        let addresses: [IPAddress]
        if let literal = destination.literal {
            addresses = [literal.address]
        } else {
            do {
                addresses = try await resolver.resolve(host: url.host, port: url.port)
            } catch {
                try Task.checkCancellation()
                return Attempt(result: .transportError, error: "\(error)")
            }
        }
        if let refusal = destinationGuard.refusal(for: addresses, scheme: url.scheme) {
            return Attempt(result: .refused, address: addresses.first?.description, error: refusal.description)
        }
        // Plain http connects to one checked address: the first IPv4 one (a service bound to 127.0.0.1 is more
        // common than one on ::1 when "localhost" answers both), else the first.
        let address = addresses.first(where: \.isIPv4) ?? addresses[0]
        let addressText = destination.literal?.text ?? address.description
        let secrets: [StandardWebhooks.Secret]
        do {
            secrets = try parsed.signingSecrets(of: delivery, now: Date())
        } catch {
            return Attempt(result: .refused, error: "the subscription's secret is unusable: \(error)")
        }

        // Plain http goes to the very address that was checked; https needs the name for TLS, so there the
        // client's connection check (WebhookHTTPClient) looks at the address it actually connected to.
        var request = HTTPClientRequest(
            url: url.scheme == "http" ? destination.literal?.pinned ?? url.pinned(to: address) : delivery.url)
        request.method = .POST
        let body: ByteBuffer
        let contentType: String
        switch payload(delivery) {
        case .success(let payload): (body, contentType) = payload
        case .failure(let problem): return Attempt(result: .refused, error: problem.description)
        }
        let timestamp = Int64(Date().timeIntervalSince1970)
        request.headers.add(name: "Host", value: destination.hostHeader)
        request.headers.add(name: "Content-Type", value: contentType)
        request.headers.add(name: "User-Agent", value: userAgent)
        request.headers.add(name: "webhook-id", value: delivery.eventID)
        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
        request.headers.add(
            name: "webhook-signature",
            value: StandardWebhooks.signatureHeader(
                id: delivery.eventID, timestamp: timestamp, body: body.readableBytesView, secrets: secrets))
        request.body = .bytes(body)

        let deadline = NIODeadline.now() + .nanoseconds(Int64(timeout.milliseconds) * 1_000_000)
        do {
            let response = try await httpClient.execute(request, deadline: deadline)
            var kept: [UInt8] = []
            var read = 0
            for try await chunk in response.body {
                if kept.count < Self.keptBodyBytes {
                    kept += chunk.readableBytesView.prefix(Self.keptBodyBytes - kept.count)
                }
                read += chunk.readableBytes
                if read >= Self.readBodyBytes { break }
            }
            let status = Int(response.status.code)
            return Attempt(
                result: .response(status: status, retryAfter: response.headers.first(name: "retry-after")),
                address: addressText, responseBody: kept.isEmpty ? nil : Self.text(kept),
                error: (300..<400).contains(status) ? "redirects are not followed" : nil)
        } catch {
            try Task.checkCancellation()
            return Attempt(result: Self.classify(error), address: addressText, error: Self.describe(error))
        }
    }

    static func classify(_ error: any Error) -> WebhookAttemptResult {
        if error is DestinationGuard.Refusal { return .refused }
        if let error = error as? HTTPClientError,
            [.deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout, .tlsHandshakeTimeout].contains(error)
        {
            return .timeout
        }
        return .transportError
    }

    static func describe(_ error: any Error) -> String {
        if let refusal = error as? DestinationGuard.Refusal { return refusal.description }
        if let error = error as? HTTPClientError, error == .deadlineExceeded { return "no answer within the timeout" }
        return String(describing: error)
    }

    /// Bytes as text PostgreSQL accepts: invalid UTF-8 replaced, NUL removed.
    static func text(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        return bytes.contains(0) ? text.replacingOccurrences(of: "\u{0}", with: "") : text
    }
}
