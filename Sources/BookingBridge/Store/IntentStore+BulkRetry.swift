import Foundation
import Logging
import PostgresNIO

extension IntentStore {
    /// Which finished intents a bulk retry takes: one status, and optionally a failure reason, a source and a period
    /// of creation (`since` inclusive, `until` exclusive).
    public struct RetrySelection: Sendable, Equatable {
        public var status: IntentStatus
        /// Matches HubSpot's category or sub-category, or the failure message (the bridge's own checks), exactly.
        public var reason: String?
        public var source: String?
        public var since: Date?
        public var until: Date?

        public init(
            status: IntentStatus, reason: String? = nil, source: String? = nil, since: Date? = nil, until: Date? = nil
        ) {
            self.status = status
            self.reason = reason
            self.source = source
            self.since = since
            self.until = until
        }
    }

    /// The statuses a bulk retry may take. `needs_review` is left out on purpose: such an intent may have a meeting
    /// already, so each one is checked and retried on its own (`requeue(id:)`).
    public static let bulkRetryStatuses: [IntentStatus] = [.failed, .offline]

    /// Counts the intents the selection matches and, unless `dryRun`, puts them back in the queue at once, in one
    /// statement: a row moves only while it still has the selected status, so an intent that changed meanwhile
    /// (retried by hand, claimed, resolved) is left as it is and none is queued twice. The attempt count starts
    /// again, as for a single retry. Returns how many matched and how many were queued.
    public func retryAll(
        _ s: RetrySelection, dryRun: Bool
    ) async throws -> (matched: Int, requeued: Int) {
        precondition(Self.bulkRetryStatuses.contains(s.status), "not a bulk-retry status")
        let rows = try await database.query(
            """
            WITH selected AS (
                SELECT id FROM intents
                WHERE status = \(s.status.rawValue)
                  -- The reason is HubSpot's category or sub-category, or the message of the bridge's own check.
                  AND (\(s.reason)::text IS NULL
                       OR last_error->>'category' = \(s.reason) OR last_error->>'subCategory' = \(s.reason)
                       OR last_error->>'message' = \(s.reason))
                  AND (\(s.source)::text IS NULL OR source = \(s.source))
                  AND (\(s.since)::timestamptz IS NULL OR created_at >= \(s.since))
                  AND (\(s.until)::timestamptz IS NULL OR created_at < \(s.until))
            ),
            moved AS (
                UPDATE intents AS i
                SET status = 'retrying', attempts = 0, uncertain = false, next_attempt_at = now(),
                    finished_at = NULL, locked_by = NULL, locked_until = NULL, updated_at = now()
                FROM selected
                -- Re-checked on the row as it is when locked: a row that changed status meanwhile stays.
                WHERE i.id = selected.id AND NOT \(dryRun) AND i.status = \(s.status.rawValue)
                RETURNING i.id
            )
            SELECT (SELECT count(*) FROM selected)::bigint, (SELECT count(*) FROM moved)::bigint
            """, logger: database.logger)
        for try await (matched, requeued) in rows.decode((Int64, Int64).self) {
            return (Int(matched), Int(requeued))
        }
        return (0, 0)
    }
}
