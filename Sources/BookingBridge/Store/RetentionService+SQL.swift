import Foundation
import Logging
import PostgresNIO

extension RetentionService {
    enum Step: String { case deliveries, events, intents }

    struct Batch {
        /// Parent rows the batch chose (a full batch means there may be more).
        var selected: Int
        var removed: RetentionReport
    }

    func run(_ step: Step, cutoff: Date, batchSize: Int) async throws -> Batch {
        let query: PostgresQuery
        switch step {
        case .deliveries: query = Self.deliveriesBatch(cutoff: cutoff, limit: batchSize)
        case .events: query = Self.eventsBatch(cutoff: cutoff, limit: batchSize)
        case .intents: query = Self.intentsBatch(cutoff: cutoff, limit: batchSize)
        }
        let rows = try await database.query(query, logger: database.logger)
        for try await (a, b, c) in rows.decode((Int, Int, Int).self) {
            var removed = RetentionReport()
            switch step {
            case .deliveries: (removed.deliveries, removed.deliveryAttempts) = (a, b)
            case .events: removed.events = a
            case .intents: (removed.intents, removed.attempts, removed.bookings) = (a, b, c)
            }
            return Batch(selected: a, removed: removed)
        }
        return Batch(selected: 0, removed: RetentionReport())
    }

    /// Deliveries that ended (delivered or failed) and were last touched before the cutoff, found through their old
    /// events (`events_created`), so a pass reads only old rows.
    static func deliveriesBatch(cutoff: Date, limit: Int) -> PostgresQuery {
        """
        WITH doomed AS (
            SELECT d.id
            FROM events AS e
            JOIN deliveries AS d ON d.event_id = e.id
            WHERE e.created_at < \(cutoff)
              -- Never a delivery that still has work to do.
              AND d.status IN ('delivered', 'failed')
              AND d.updated_at < \(cutoff)
            ORDER BY e.created_at
            LIMIT \(limit)
            FOR UPDATE OF d SKIP LOCKED
        ), gone_attempts AS (
            DELETE FROM delivery_attempts WHERE delivery_id IN (SELECT id FROM doomed) RETURNING 1
        ), gone AS (
            DELETE FROM deliveries WHERE id IN (SELECT id FROM doomed) RETURNING 1
        )
        SELECT (SELECT count(*) FROM gone)::bigint, (SELECT count(*) FROM gone_attempts)::bigint, 0::bigint
        """
    }

    /// Events older than the cutoff that no delivery refers to any more.
    static func eventsBatch(cutoff: Date, limit: Int) -> PostgresQuery {
        """
        WITH doomed AS (
            SELECT e.id
            FROM events AS e
            WHERE e.created_at < \(cutoff)
              -- A pending delivery (to a disabled subscription, say) keeps its event.
              AND NOT EXISTS (SELECT 1 FROM deliveries AS d WHERE d.event_id = e.id)
            ORDER BY e.created_at
            LIMIT \(limit)
            FOR UPDATE OF e SKIP LOCKED
        ), gone AS (
            DELETE FROM events WHERE id IN (SELECT id FROM doomed) RETURNING 1
        )
        SELECT (SELECT count(*) FROM gone)::bigint, 0::bigint, 0::bigint
        """
    }

    /// Intents that finished before the cutoff, with their attempts and booking (the cascade would remove them too;
    /// deleting them here counts them).
    static func intentsBatch(cutoff: Date, limit: Int) -> PostgresQuery {
        """
        WITH doomed AS (
            SELECT id
            FROM intents
            WHERE finished_at < \(cutoff)
              -- Never an intent that still has work to do, whatever its finished_at says.
              AND status NOT IN ('received', 'retrying')
            ORDER BY finished_at
            LIMIT \(limit)
            FOR UPDATE SKIP LOCKED
        ), gone_attempts AS (
            DELETE FROM attempts WHERE intent_id IN (SELECT id FROM doomed) RETURNING 1
        ), gone_bookings AS (
            DELETE FROM bookings WHERE intent_id IN (SELECT id FROM doomed) RETURNING 1
        ), gone AS (
            DELETE FROM intents WHERE id IN (SELECT id FROM doomed) RETURNING 1
        )
        SELECT (SELECT count(*) FROM gone)::bigint, (SELECT count(*) FROM gone_attempts)::bigint,
               (SELECT count(*) FROM gone_bookings)::bigint
        """
    }
}
