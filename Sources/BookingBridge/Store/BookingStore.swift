import Foundation
import Logging
import PostgresNIO

/// SQL for HubSpot's answers (`bookings`) and the record of every HubSpot call (`attempts`).
public enum BookingStore {
    /// One HubSpot call made for an intent.
    public struct Attempt: Sendable {
        public var stage: String
        public var outcome: String
        public var startedAt: Date
        public var duration: Duration
        public var httpStatus: Int?
        public var correlationId: String?
        public var error: FailureReason?
        /// What the attempt found, as JSON (a reconciliation's CRM evidence), stored in `attempts.evidence`.
        public var evidence: String?

        public init(
            stage: String, outcome: String, startedAt: Date, duration: Duration, httpStatus: Int? = nil,
            correlationId: String? = nil, error: FailureReason? = nil, evidence: String? = nil
        ) {
            self.stage = stage
            self.outcome = outcome
            self.startedAt = startedAt
            self.duration = duration
            self.httpStatus = httpStatus
            self.correlationId = correlationId
            self.error = error
            self.evidence = evidence
        }
    }

    /// Records an attempt, on a connection (inside a transaction) or on the pool.
    public static func record(
        _ attempt: Attempt, intentID: UUID, on connection: PostgresConnection, logger: Logger
    )
        async throws
    {
        try await connection.query(insertAttempt(attempt, intentID: intentID), logger: logger)
    }

    public static func record(_ attempt: Attempt, intentID: UUID, database: Database) async throws {
        try await database.query(insertAttempt(attempt, intentID: intentID), logger: database.logger)
    }

    private static func insertAttempt(_ a: Attempt, intentID: UUID) throws -> PostgresQuery {
        let error = try a.error.map(IntentStore.json)
        let finished = a.startedAt.addingTimeInterval(a.duration.seconds)
        let ms = Int(a.duration.milliseconds)
        return """
            INSERT INTO attempts (intent_id, stage, started_at, finished_at, duration_ms, outcome, http_status,
                                  correlation_id, error, evidence)
            VALUES (\(intentID), \(a.stage), \(a.startedAt), \(finished), \(ms), \(a.outcome), \(a.httpStatus),
                    \(a.correlationId), \(error)::jsonb, \(a.evidence)::jsonb)
            """
    }

    /// When the first booking call of an intent left (its earliest `book` attempt), if one was recorded.
    public static func firstBookingCall(intentID: UUID, database: Database) async throws -> Date? {
        let rows = try await database.query(
            "SELECT min(started_at) FROM attempts WHERE intent_id = \(intentID) AND stage = 'book'",
            logger: database.logger)
        for try await first in rows.decode(Date?.self) { return first }
        return nil
    }

    /// Calendar event ids other intents already recorded for this contact at this start: a CRM meeting with one
    /// of them is another intent's booking, not evidence for this one.
    public static func calendarEventIds(
        contactId: String, start: Date, otherThan intentID: UUID, database: Database
    ) async throws -> Set<String> {
        let rows = try await database.query(
            """
            SELECT calendar_event_id FROM bookings
            WHERE contact_id = \(contactId) AND start_time = \(start) AND intent_id <> \(intentID)
                  AND calendar_event_id IS NOT NULL AND calendar_event_id <> ''
            """, logger: database.logger)
        var ids: Set<String> = []
        for try await id in rows.decode(String.self) { ids.insert(id) }
        return ids
    }

    /// Stores HubSpot's answer to a booking (also for the offline trap).
    public static func insert(
        intentID: UUID, slug: String, response: HubSpotBookingResponse, on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        let json = try IntentStore.json(response)
        let start = Date(timeIntervalSince1970: Double(response.startMillis) / 1000)
        let end = Date(timeIntervalSince1970: Double(response.endMillis) / 1000)
        try await connection.query(
            """
            INSERT INTO bookings (intent_id, slug, start_time, end_time, calendar_event_id, contact_id, is_offline, response)
            VALUES (\(intentID), \(slug), \(start), \(end), \(response.calendarEventId), \(response.contactId),
                    \(response.isOffline), \(json)::jsonb)
            ON CONFLICT (intent_id) DO NOTHING
            """, logger: logger)
    }

    /// Stores an operator's resolution of a needs_review intent as booked.
    public static func insertResolved(
        intentID: UUID, slug: String, start: Date, calendarEventId: String?, contactId: String?, resolvedBy: String,
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        try await connection.query(
            """
            INSERT INTO bookings (intent_id, slug, start_time, calendar_event_id, contact_id, is_offline, resolved_by, response)
            VALUES (\(intentID), \(slug), \(start), \(calendarEventId), \(contactId), false, \(resolvedBy), '{}'::jsonb)
            ON CONFLICT (intent_id) DO UPDATE SET calendar_event_id = EXCLUDED.calendar_event_id,
                contact_id = EXCLUDED.contact_id, resolved_by = EXCLUDED.resolved_by
            """, logger: logger)
    }
}

extension BookingStore {
    /// Whether any earlier attempt for the intent ended without its outcome being seen.
    public static func hadUncertainAttempt(intentID: UUID, database: Database) async throws -> Bool {
        let rows = try await database.query(
            "SELECT EXISTS (SELECT 1 FROM attempts WHERE intent_id = \(intentID) AND outcome = 'uncertain')",
            logger: database.logger)
        for try await exists in rows.decode(Bool.self) { return exists }
        return false
    }
}
