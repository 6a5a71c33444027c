import Foundation
import Logging
import PostgresNIO

/// SQL of `SubscriptionSeeder`: subscriptions from BRIDGE_CONFIG's list, each created once.
extension SubscriptionStore {
    /// Serializes seeding across processes ("bbseed" in ASCII).
    static let seedLockKey: Int64 = 0x6262_7365_6564

    /// Runs `body` in one transaction that holds the seeding advisory lock, so processes starting together see
    /// each other's subscriptions.
    static func withSeedLock(
        database: Database, logger: Logger, _ body: @Sendable @escaping (PostgresConnection) async throws -> Void
    ) async throws {
        try await database.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.seedLockKey))", logger: logger)
            try await body(connection)
        }
    }

    /// Creates the subscription unless one has its URL already; true when it was created. `secret` is sealed.
    static func insertSeed(
        id: UUID, _ seed: SubscriptionSeed, body: SubscriptionValidation.Body, filter: WebhookFilter?, secret: String,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> Bool {
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
        for try await _ in rows { return true }
        return false
    }
}
