import Foundation
import Logging
import PostgresNIO

/// The transactional outbox: events and their deliveries are written in the transaction that decided them, so a
/// booking outcome is never committed without its webhooks, nor announced without being committed.
public enum Outbox {
    /// Inside the caller's transaction: inserts the event (exact JSON body bytes stored as text,
    /// `{"type","timestamp","data"}`, key order stable, webhook id = event id) and one delivery per subscription whose
    /// eventTypes match (exact, `"prefix.*"` or `"*"`), whose sources (if set) include `source` and whose payload
    /// filter (if set, `WebhookFilter`) holds for the body. Returns the event id.
    ///
    /// Disabled subscriptions get their delivery too: it waits, and is sent when the subscription is enabled again.
    /// Call `WebhookDispatcher.wake()` after the transaction commits to send at once.
    public static func enqueue(
        type: String, data: some Encodable & Sendable, source: String?, intentID: UUID?,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> String {
        try await enqueue(
            type: type, data: data, source: source, intentID: intentID, excluding: nil, on: connection,
            logger: logger
        ).eventID
    }

    /// `enqueue`, leaving out one subscription (a `subscription.disabled` event is not sent to the subscription it
    /// is about), and telling how many deliveries were written.
    static func enqueue(
        type: String, data: some Encodable & Sendable, source: String?, intentID: UUID?, excluding: UUID?,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> (eventID: String, deliveries: Int) {
        let now = Date()
        let id = WebhookEventBody.makeID(now: now)
        let body = try WebhookEventBody.make(type: type, timestamp: now, data: data)
        let rows = try await connection.query(
            """
            WITH event AS (
                INSERT INTO events (id, type, source, intent_id, body, created_at)
                VALUES (\(id), \(type), \(source), \(intentID), \(body), \(now))
                RETURNING id, body
            ), fanout AS (
                INSERT INTO deliveries (event_id, subscription_id)
                SELECT event.id, s.id
                FROM event CROSS JOIN subscriptions AS s
                WHERE s.id IS DISTINCT FROM \(excluding)
                  -- Same rule as WebhookEventType.matches: exact, "*" or "prefix.*".
                  AND EXISTS (
                      SELECT 1 FROM unnest(s.event_types) AS p (pattern)
                      WHERE p.pattern = \(type) OR p.pattern = '*'
                         OR (right(p.pattern, 2) = '.*' AND starts_with(\(type), left(p.pattern, -1))))
                  -- Events without a source (subscription.disabled) pass every source filter.
                  AND (s.sources IS NULL OR \(source)::text IS NULL OR \(source) = ANY (s.sources))
                  -- The payload filter (WebhookFilter.jsonPath); CASE so that the body is parsed only for filters.
                  AND CASE WHEN s.filter_path IS NULL THEN true
                           ELSE jsonb_path_exists(event.body::jsonb, s.filter_path) END
                RETURNING 1
            )
            SELECT count(*) FROM fanout
            """, logger: logger)
        var count = 0
        for try await value in rows.decode(Int.self) { count = value }
        return (id, count)
    }
}
