import Foundation
import Logging
import PostgresNIO

/// SQL for the `subscriptions` table: create, read, change, delete, rotate secrets, enable and disable.
///
/// `secret` and `previous_secret` are sealed with `database.secrets` on the way in and opened on the way out (see
/// `SecretKeyring`; `context(id:)` binds each to its row), so a `Subscription` always holds the usable secrets and
/// the table never does once a key is set.
public struct SubscriptionStore: Sendable {
    public let database: Database

    public init(database: Database) { self.database = database }

    /// Columns read into a `Subscription`, in `decode`'s order.
    static let columns = """
        id, url, event_types, sources, description, enabled, disabled_reason, disabled_at, secret, previous_secret,
        previous_secret_expires_at, max_per_second, failing_since, created_at, updated_at, format, template,
        content_type, filter::text
        """

    /// What a subscription's sealed secrets are bound to: both columns of one row share it, so a rotation can
    /// move `secret` into `previous_secret` in SQL.
    public static func context(id: UUID) -> String { "subscription:\(id.uuidString.lowercased())" }

    public func create(_ new: NewSubscription, id: UUID = UUID()) async throws -> Subscription {
        let secret = database.secrets.seal(new.secret, context: Self.context(id: id))
        let filter = new.filter?.jsonText
        let filterPath = new.filter?.jsonPath
        let rows = try await database.query(
            """
            INSERT INTO subscriptions (id, url, event_types, sources, description, enabled, disabled_reason,
                                       disabled_at, secret, max_per_second, format, template, content_type, filter,
                                       filter_path)
            VALUES (\(id), \(new.url), \(new.eventTypes), \(new.sources), \(new.description), \(new.enabled),
                    CASE WHEN \(new.enabled) THEN NULL ELSE 'manual' END, CASE WHEN \(new.enabled) THEN NULL ELSE now() END,
                    \(secret), \(new.maxPerSecond), \(new.format.rawValue), \(new.template), \(new.contentType),
                    \(filter)::jsonb, \(filterPath)::jsonpath)
            RETURNING \(unescaped: Self.columns)
            """, logger: database.logger)
        for try await row in rows { return try Self.decode(row, secrets: database.secrets) }
        throw StoreError(description: "INSERT INTO subscriptions returned no row")
    }

    /// Every subscription, oldest first (there are few).
    public func list(limit: Int = 1000) async throws -> [Subscription] {
        let rows = try await database.query(
            "SELECT \(unescaped: Self.columns) FROM subscriptions ORDER BY created_at, id LIMIT \(limit)",
            logger: database.logger)
        var result: [Subscription] = []
        for try await row in rows { result.append(try Self.decode(row, secrets: database.secrets)) }
        return result
    }

    public func find(id: UUID) async throws -> Subscription? {
        let rows = try await database.query(
            "SELECT \(unescaped: Self.columns) FROM subscriptions WHERE id = \(id)", logger: database.logger)
        for try await row in rows { return try Self.decode(row, secrets: database.secrets) }
        return nil
    }

    /// True when some subscription has exactly this URL.
    public func exists(url: String) async throws -> Bool {
        let rows = try await database.query(
            "SELECT 1 FROM subscriptions WHERE url = \(url) LIMIT 1", logger: database.logger)
        for try await _ in rows { return true }
        return false
    }

    /// Applies `changes`; `nil` when there is no such subscription.
    ///
    /// Disabling by hand records reason `manual`. Enabling clears the reason and the failure streak and makes every
    /// delivery that piled up meanwhile due at once, with a fresh retry schedule.
    public func update(id: UUID, _ changes: SubscriptionChanges) async throws -> Subscription? {
        let setSources = changes.sources != nil
        let sources: [String]? = changes.sources ?? nil
        let setDescription = changes.description != nil
        let description: String? = changes.description ?? nil
        let setRate = changes.maxPerSecond != nil
        let rate: Int? = changes.maxPerSecond ?? nil
        let setTemplate = changes.template != nil
        let template: String? = changes.template ?? nil
        let setContentType = changes.contentType != nil
        let contentType: String? = changes.contentType ?? nil
        let setFilter = changes.filter != nil
        let filter: String? = (changes.filter ?? nil)?.jsonText
        let filterPath: String? = (changes.filter ?? nil)?.jsonPath
        let logger = database.logger
        let secrets = database.secrets
        return try await database.withTransaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                WITH before AS (SELECT id, enabled FROM subscriptions WHERE id = \(id) FOR UPDATE)
                UPDATE subscriptions AS s
                SET url = COALESCE(\(changes.url), s.url),
                    event_types = COALESCE(\(changes.eventTypes), s.event_types),
                    sources = CASE WHEN \(setSources) THEN \(sources) ELSE s.sources END,
                    description = CASE WHEN \(setDescription) THEN \(description) ELSE s.description END,
                    max_per_second = CASE WHEN \(setRate) THEN \(rate) ELSE s.max_per_second END,
                    format = COALESCE(\(changes.format?.rawValue), s.format),
                    template = CASE WHEN \(setTemplate) THEN \(template) ELSE s.template END,
                    content_type = CASE WHEN \(setContentType) THEN \(contentType) ELSE s.content_type END,
                    filter = CASE WHEN \(setFilter) THEN \(filter)::jsonb ELSE s.filter END,
                    filter_path = CASE WHEN \(setFilter) THEN \(filterPath)::jsonpath ELSE s.filter_path END,
                    enabled = COALESCE(\(changes.enabled), s.enabled),
                    disabled_reason = CASE
                        WHEN \(changes.enabled)::boolean IS NULL THEN s.disabled_reason
                        WHEN \(changes.enabled)::boolean THEN NULL
                        WHEN s.enabled THEN 'manual'
                        ELSE s.disabled_reason END,
                    disabled_at = CASE
                        WHEN \(changes.enabled)::boolean IS NULL THEN s.disabled_at
                        WHEN \(changes.enabled)::boolean THEN NULL
                        WHEN s.enabled THEN now()
                        ELSE s.disabled_at END,
                    failing_since = CASE WHEN \(changes.enabled)::boolean AND NOT s.enabled THEN NULL ELSE s.failing_since END,
                    updated_at = now()
                FROM before
                WHERE s.id = before.id
                RETURNING \(unescaped: Self.prefixed("s")), before.enabled
                """, logger: logger)
            var updated: (Subscription, Bool)?
            for try await row in rows {
                updated = (
                    try Self.decode(row, secrets: secrets),
                    try row.makeRandomAccess()[19].decode(Bool.self, context: .default)
                )
            }
            guard let (subscription, wasEnabled) = updated else { return nil }
            if subscription.enabled && !wasEnabled {
                try await DeliveryStore.requeuePiledUp(subscriptionID: id, on: connection, logger: logger)
            }
            return subscription
        }
    }

    public func delete(id: UUID) async throws -> Bool {
        let rows = try await database.query(
            "DELETE FROM subscriptions WHERE id = \(id) RETURNING id", logger: database.logger)
        for try await _ in rows { return true }
        return false
    }

    /// Installs `newSecret`; the current secret keeps signing (alongside) for `overlap`.
    public func rotateSecret(id: UUID, newSecret: String, overlap: Duration) async throws -> Subscription? {
        let sealed = database.secrets.seal(newSecret, context: Self.context(id: id))
        let rows = try await database.query(
            """
            UPDATE subscriptions
            SET previous_secret = secret,
                previous_secret_expires_at = now() + \(overlap.milliseconds) * interval '1 millisecond',
                secret = \(sealed), updated_at = now()
            WHERE id = \(id)
            RETURNING \(unescaped: Self.columns)
            """, logger: database.logger)
        for try await row in rows { return try Self.decode(row, secrets: database.secrets) }
        return nil
    }

    /// Disables an enabled subscription for `reason`, on `connection`; `nil` when it was already disabled (so only
    /// one caller announces it).
    static func disable(
        id: UUID, reason: Subscription.DisabledReason, secrets: SecretKeyring, on connection: PostgresConnection,
        logger: Logger
    ) async throws -> Subscription? {
        let rows = try await connection.query(
            """
            UPDATE subscriptions
            SET enabled = false, disabled_reason = \(reason.rawValue), disabled_at = now(), updated_at = now()
            WHERE id = \(id) AND enabled
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        for try await row in rows { return try Self.decode(row, secrets: secrets) }
        return nil
    }

    static func prefixed(_ alias: String) -> String {
        columns.split(separator: ",").map { "\(alias)." + $0.trimmingWhitespace() }.joined(separator: ", ")
    }

    /// A `Subscription` from a row of `columns`, its secrets opened with `secrets`.
    static func decode(_ row: PostgresRow, secrets: SecretKeyring) throws -> Subscription {
        let c = row.makeRandomAccess()
        let reason = try c[6].decode(String?.self, context: .default)
        let id = try c[0].decode(UUID.self, context: .default)
        let context = Self.context(id: id)
        return Subscription(
            id: id,
            url: try c[1].decode(String.self, context: .default),
            eventTypes: try c[2].decode([String].self, context: .default),
            sources: try c[3].decode([String]?.self, context: .default),
            description: try c[4].decode(String?.self, context: .default),
            enabled: try c[5].decode(Bool.self, context: .default),
            disabledReason: reason.flatMap(Subscription.DisabledReason.init(rawValue:)),
            disabledAt: try c[7].decode(Date?.self, context: .default),
            secret: try secrets.open(try c[8].decode(String.self, context: .default), context: context),
            previousSecret: try c[9].decode(String?.self, context: .default).map {
                try secrets.open($0, context: context)
            },
            previousSecretExpiresAt: try c[10].decode(Date?.self, context: .default),
            maxPerSecond: try c[11].decode(Int?.self, context: .default),
            failingSince: try c[12].decode(Date?.self, context: .default),
            createdAt: try c[13].decode(Date.self, context: .default),
            updatedAt: try c[14].decode(Date.self, context: .default),
            format: WebhookFormat(rawValue: try c[15].decode(String.self, context: .default)) ?? .standard,
            template: try c[16].decode(String?.self, context: .default),
            contentType: try c[17].decode(String?.self, context: .default),
            filter: try c[18].decode(String?.self, context: .default).flatMap(WebhookFilter.init(storedText:)))
    }
}
