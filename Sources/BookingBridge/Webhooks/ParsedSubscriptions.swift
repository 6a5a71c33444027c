import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// What `WebhookSender` parses from a subscription (its URL, its secrets), remembered by the text parsed: a
/// subscription that changes its URL or rotates its secret is simply parsed again. Bounded: emptied when it holds
/// more than `limit` entries (old URLs and secrets are never looked up again).
final class ParsedSubscriptions: Sendable {
    private struct State {
        var urls: [String: Result<Destination, DestinationGuard.Refusal>] = [:]
        var secrets: [String: StandardWebhooks.Secret] = [:]
    }

    static let limit = 1024
    private let state = LockedValue(State())

    func destination(_ text: String) -> Result<Destination, DestinationGuard.Refusal> {
        remembered(\.urls, text) { WebhookURL.parse(text).map(Destination.init) }
    }

    /// As `ClaimedDelivery.signingSecrets(now:)`.
    func signingSecrets(of delivery: ClaimedDelivery, now: Date) throws -> [StandardWebhooks.Secret] {
        try Subscription.signingSecrets(
            secret: delivery.secret, previousSecret: delivery.previousSecret,
            previousSecretExpiresAt: delivery.previousSecretExpiresAt, now: now,
            parse: { text in try remembered(\.secrets, text) { try StandardWebhooks.Secret(text) } })
    }

    /// `table[key]`, made by `make` the first time (what `make` throws is not kept: it throws again next time).
    private func remembered<Value: Sendable>(
        _ table: WritableKeyPath<State, [String: Value]>, _ key: String, make: () throws -> Value
    ) rethrows -> Value {
        if let known = state.withLock({ $0[keyPath: table][key] }) { return known }
        let value = try make()
        state.withLock { state in
            if state[keyPath: table].count >= Self.limit { state[keyPath: table].removeAll() }
            state[keyPath: table][key] = value
        }
        return value
    }
}
