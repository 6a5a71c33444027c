import Foundation
import Logging
import PostgresNIO

extension DeliveryStore {
    static let recordColumns = """
        d.id, d.event_id, e.type, d.subscription_id, d.status, d.attempts, d.next_attempt_at,
        COALESCE(d.locked_until > now(), false), d.last_attempt_at, d.last_status_code, d.last_response_body,
        d.last_error, d.delivered_at, d.created_at, d.updated_at
        """

    /// Deliveries newest first, filtered by any of subscription, status and event; `before` is the keyset cursor
    /// (the last id of the previous page).
    public func list(
        subscriptionID: UUID? = nil, status: DeliveryStatus? = nil, eventID: String? = nil, before: Int64? = nil,
        limit: Int = 100
    ) async throws -> [DeliveryRecord] {
        let rows = try await database.query(
            """
            SELECT \(unescaped: Self.recordColumns)
            FROM deliveries AS d JOIN events AS e ON e.id = d.event_id
            WHERE (\(subscriptionID)::uuid IS NULL OR d.subscription_id = \(subscriptionID))
              AND (\(status?.rawValue)::text IS NULL OR d.status = \(status?.rawValue))
              AND (\(eventID)::text IS NULL OR d.event_id = \(eventID))
              AND (\(before)::int8 IS NULL OR d.id < \(before))
            ORDER BY d.id DESC
            LIMIT \(limit)
            """, logger: database.logger)
        var result: [DeliveryRecord] = []
        for try await row in rows { result.append(try Self.decodeRecord(row)) }
        return result
    }

    public func find(id: Int64) async throws -> DeliveryRecord? {
        let rows = try await database.query(
            """
            SELECT \(unescaped: Self.recordColumns)
            FROM deliveries AS d JOIN events AS e ON e.id = d.event_id
            WHERE d.id = \(id)
            """, logger: database.logger)
        for try await row in rows { return try Self.decodeRecord(row) }
        return nil
    }

    /// The attempts of one delivery, oldest first (at most `limit`, the newest ones).
    public func attempts(deliveryID: Int64, limit: Int = 100) async throws -> [DeliveryAttemptRecord] {
        let rows = try await database.query(
            """
            SELECT * FROM (
                SELECT id, attempt, started_at, duration_ms, outcome, status_code, address, response_body, error
                FROM delivery_attempts WHERE delivery_id = \(deliveryID) ORDER BY id DESC LIMIT \(limit)
            ) AS recent ORDER BY id
            """, logger: database.logger)
        var result: [DeliveryAttemptRecord] = []
        for try await row in rows {
            let c = row.makeRandomAccess()
            result.append(
                DeliveryAttemptRecord(
                    id: try c[0].decode(Int64.self, context: .default),
                    attempt: try c[1].decode(Int.self, context: .default),
                    startedAt: try c[2].decode(Date.self, context: .default),
                    durationMs: try c[3].decode(Int.self, context: .default),
                    outcome: try c[4].decode(String.self, context: .default),
                    statusCode: try c[5].decode(Int?.self, context: .default),
                    address: try c[6].decode(String?.self, context: .default),
                    responseBody: try c[7].decode(String?.self, context: .default),
                    error: try c[8].decode(String?.self, context: .default)))
        }
        return result
    }

    /// The outcome of a redelivery request.
    public enum RedeliverOutcome: Sendable, Equatable {
        case queued(DeliveryRecord)
        case notFound
        /// A dispatcher holds it right now.
        case inFlight
    }

    /// Queues a delivery again, whatever its status, with a fresh retry schedule (same event, same `webhook-id`).
    public func redeliver(id: Int64) async throws -> RedeliverOutcome {
        let rows = try await database.query(
            """
            UPDATE deliveries
            SET status = 'pending', attempts = 0, next_attempt_at = now(), locked_by = NULL, locked_until = NULL,
                updated_at = now()
            WHERE id = \(id) AND (locked_until IS NULL OR locked_until < now())
            RETURNING id
            """, logger: database.logger)
        var updated = false
        for try await _ in rows { updated = true }
        guard let record = try await find(id: id) else { return .notFound }
        return updated ? .queued(record) : .inFlight
    }

    /// Queues again every `failed` delivery of a subscription created at or after `since`; returns how many.
    public func recover(subscriptionID: UUID, since: Date) async throws -> Int {
        let rows = try await database.query(
            """
            WITH requeued AS (
                UPDATE deliveries
                SET status = 'pending', attempts = 0, next_attempt_at = now(), updated_at = now()
                WHERE subscription_id = \(subscriptionID) AND status = 'failed' AND created_at >= \(since)
                RETURNING 1
            )
            SELECT count(*) FROM requeued
            """, logger: database.logger)
        for try await value in rows.decode(Int.self) { return value }
        return 0
    }

    static func decodeRecord(_ row: PostgresRow) throws -> DeliveryRecord {
        let c = row.makeRandomAccess()
        let status = try c[4].decode(String.self, context: .default)
        guard let parsed = DeliveryStatus(rawValue: status) else {
            throw StoreError(description: "unknown delivery status \(status)")
        }
        return DeliveryRecord(
            id: try c[0].decode(Int64.self, context: .default),
            eventID: try c[1].decode(String.self, context: .default),
            eventType: try c[2].decode(String.self, context: .default),
            subscriptionID: try c[3].decode(UUID.self, context: .default),
            status: parsed,
            attempts: try c[5].decode(Int.self, context: .default),
            nextAttemptAt: try c[6].decode(Date.self, context: .default),
            inFlight: try c[7].decode(Bool.self, context: .default),
            lastAttemptAt: try c[8].decode(Date?.self, context: .default),
            lastStatusCode: try c[9].decode(Int?.self, context: .default),
            lastResponseBody: try c[10].decode(String?.self, context: .default),
            lastError: try c[11].decode(String?.self, context: .default),
            deliveredAt: try c[12].decode(Date?.self, context: .default),
            createdAt: try c[13].decode(Date.self, context: .default),
            updatedAt: try c[14].decode(Date.self, context: .default))
    }
}
