import Foundation
import Logging

/// Creates subscriptions from BRIDGE_CONFIG's list when none has that URL yet.
public enum SubscriptionSeeder {
    public struct InvalidSeed: Error, CustomStringConvertible {
        public let description: String
    }

    /// Validates every seed first (a bad one stops start-up with a clear message), then creates the missing ones
    /// under an advisory lock, so processes starting together create each subscription once.
    public static func seed(_ seeds: [SubscriptionSeed], database: Database, logger: Logger) async throws {
        guard !seeds.isEmpty else { return }
        var bodies: [SubscriptionValidation.Body] = []
        var filters: [WebhookFilter?] = []
        for (index, seed) in seeds.enumerated() {
            var problems: [String] = []
            if case .failure(let refusal) = WebhookURL.parse(seed.url) { problems.append("url: \(refusal)") }
            problems += SubscriptionValidation.eventTypeProblems(seed.eventTypes).map { "\($0.field): \($0.message)" }
            if let sources = seed.sources {
                problems += SubscriptionValidation.sourcesProblems(sources).map { "\($0.field): \($0.message)" }
            }
            if let secret = seed.secret, let problem = SubscriptionValidation.secretProblem(secret) {
                problems.append("secret: \(problem)")
            }
            switch SubscriptionValidation.body(
                format: seed.format, template: seed.template, contentType: seed.contentType,
                eventTypes: seed.eventTypes)
            {
            case .success(let body): bodies.append(body)
            case .failure(let failure): problems += failure.errors.map { "\($0.field): \($0.message)" }
            }
            switch SubscriptionValidation.filter(seed.filter) {
            case .success(let filter): filters.append(filter)
            case .failure(let failure): problems += failure.errors.map { "\($0.field): \($0.message)" }
            }
            guard problems.isEmpty else {
                throw InvalidSeed(
                    description: "subscriptions[\(index)] in BRIDGE_CONFIG: " + problems.joined(separator: "; "))
            }
        }
        let checked = Array(zip(bodies, filters))
        try await SubscriptionStore.withSeedLock(database: database, logger: logger) { connection in
            for (seed, (body, filter)) in zip(seeds, checked) {
                let id = UUID()
                let secret = database.secrets.seal(
                    seed.secret ?? StandardWebhooks.Secret.generate().text, context: SubscriptionStore.context(id: id))
                guard
                    try await SubscriptionStore.insertSeed(
                        id: id, seed, body: body, filter: filter, secret: secret, on: connection, logger: logger)
                else { continue }
                logger.notice(
                    "created a webhook subscription from the configuration",
                    metadata: [
                        "subscription_id": "\(id)", "url": "\(seed.url)",
                        "secret": seed.secret == nil
                            ? "generated: read it with GET /v1/subscriptions/\(id)" : "from the configuration",
                    ])
            }
        }
    }
}
