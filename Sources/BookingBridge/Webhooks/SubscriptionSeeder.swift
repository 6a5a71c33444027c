import Foundation
import Logging
import PostgresNIO

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
        try await database.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.lockKey))", logger: logger)
            for (seed, (body, filter)) in zip(seeds, checked) {
                let id = UUID()
                let secret = database.secrets.seal(
                    seed.secret ?? StandardWebhooks.Secret.generate().text, context: SubscriptionStore.context(id: id))
                let (filterText, filterPath) = (filter?.jsonText, filter?.jsonPath)
                let rows = try await connection.query(
                    """
                    INSERT INTO subscriptions (id, url, event_types, sources, description, secret, format, template,
                                               content_type, max_per_second, filter, filter_path)
                    SELECT \(id), \(seed.url), \(seed.eventTypes), \(seed.sources), \(seed.description), \(secret),
                           \(body.format.rawValue), \(body.template), \(body.contentType),
                           \(body.format.defaultMaxPerSecond), \(filterText)::jsonb, \(filterPath)::jsonpath
                    WHERE NOT EXISTS (SELECT 1 FROM subscriptions WHERE url = \(seed.url))
                    RETURNING id
                    """, logger: logger)
                for try await _ in rows {
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

    /// Serializes seeding across processes ("bbseed" in ASCII).
    static let lockKey: Int64 = 0x6262_7365_6564
}
