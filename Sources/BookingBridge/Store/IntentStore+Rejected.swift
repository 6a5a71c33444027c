import Foundation
import PostgresNIO

extension IntentStore {
    /// Stores a machine sender's submission that cannot be booked as sent: the intent, final with status
    /// `rejected` and its `reason`, and its `booking.failed` event, in one transaction. A repeat of the same
    /// `(source, idempotencyKey)` returns the intent already stored and sends nothing again.
    /// A created outcome wrote an event: the caller wakes the dispatcher.
    public func insertRejected(_ intent: NewIntent, reason: FailureReason) async throws -> InsertOutcome {
        let request = try Self.json(intent.request)
        let raw = try Self.json(intent.raw)
        let error = try Self.json(reason)
        let email = intent.request.email.lowercased()
        let logger = database.logger
        return try await database.withTransaction(logger: logger) { connection in
            let inserted = try await connection.query(
                """
                INSERT INTO intents (id, source, idempotency_key, status, raw, request, email, client_ip, user_agent,
                                     last_error, finished_at)
                VALUES (\(intent.id), \(intent.source), \(intent.idempotencyKey), 'rejected', \(raw)::jsonb,
                        \(request)::jsonb, NULLIF(\(email), ''), \(intent.clientIP), \(intent.userAgent),
                        \(error)::jsonb, now())
                ON CONFLICT (source, idempotency_key) DO NOTHING
                RETURNING \(unescaped: Self.columns)
                """, logger: logger)
            for try await row in inserted {
                let record = try Self.decodeRecord(row)
                _ = try await Outbox.enqueue(
                    type: WebhookEventType.bookingFailed,
                    data: BookingEventData(intent: record, status: .rejected, attempts: 0, reason: reason),
                    source: record.source, intentID: record.id, on: connection, logger: logger)
                return .created(record)
            }
            let existing = try await connection.query(
                """
                SELECT \(unescaped: Self.columns) FROM intents
                WHERE source = \(intent.source) AND idempotency_key = \(intent.idempotencyKey)
                """, logger: logger)
            for try await row in existing { return .existing(try Self.decodeRecord(row)) }
            throw StoreError(description: "intent with idempotency key vanished between insert and read")
        }
    }
}
