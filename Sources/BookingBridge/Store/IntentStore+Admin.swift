import Foundation
import Logging
import PostgresNIO

extension IntentStore {
    /// Everything known about one intent, for the admin API.
    public struct Detail: Sendable {
        public var record: IntentRecord
        /// The submission as received, as JSON text.
        public var rawJSON: String
        public var clientIP: String?
        public var userAgent: String?
        public var attempts: [Attempt]
        public var booking: Booking?
        /// `nil` while the webhooks tables do not exist.
        public var deliveries: [Delivery]?
    }

    /// One HubSpot call made for an intent (table `attempts`).
    public struct Attempt: Sendable {
        public var id: Int64
        public var stage: String
        public var startedAt: Date
        public var finishedAt: Date?
        public var durationMs: Int?
        public var outcome: String
        public var httpStatus: Int?
        public var correlationID: String?
        /// JSON text.
        public var errorJSON: String?
    }

    /// HubSpot's answer to a booking (table `bookings`).
    public struct Booking: Sendable {
        public var slug: String
        public var startTime: Date
        public var endTime: Date?
        public var calendarEventID: String?
        public var contactID: String?
        public var isOffline: Bool
        public var resolvedBy: String?
        /// JSON text.
        public var responseJSON: String
        public var createdAt: Date
    }

    /// A webhook delivery of an event about the intent (table `deliveries`).
    public struct Delivery: Sendable {
        public var id: Int64
        public var eventID: String
        public var eventType: String
        public var subscriptionID: UUID
        public var status: String
        public var attempts: Int
        public var nextAttemptAt: Date
        public var lastStatusCode: Int?
        public var createdAt: Date
        public var deliveredAt: Date?
    }

    /// Where a listing continues: the last row's creation time (microseconds since 1970) and id.
    public struct ListCursor: Sendable, Equatable {
        public var createdAtMicros: Int64
        public var id: UUID

        public init(createdAtMicros: Int64, id: UUID) {
            self.createdAtMicros = createdAtMicros
            self.id = id
        }
    }

    /// How many columns `columns` selects: extra columns follow at this index.
    static var columnCount: Int { columns.split(separator: ",").count }

    /// The intent with `id` and its attempts, booking and deliveries; `nil` when there is none.
    public func detail(id: UUID) async throws -> Detail? {
        let rows = try await database.query(
            """
            SELECT \(unescaped: Self.columns), raw::text, client_ip, user_agent
            FROM intents WHERE id = \(id)
            """, logger: database.logger)
        var found: (IntentRecord, String, String?, String?)?
        let extra = Self.columnCount
        for try await row in rows {
            let columns = row.makeRandomAccess()
            found = (
                try Self.decodeRecord(row), try columns[extra].decode(String.self),
                try columns[extra + 1].decode(String?.self), try columns[extra + 2].decode(String?.self)
            )
        }
        guard let (record, raw, clientIP, userAgent) = found else { return nil }
        return Detail(
            record: record, rawJSON: raw, clientIP: clientIP, userAgent: userAgent,
            attempts: try await attempts(intent: id), booking: try await booking(intent: id),
            deliveries: try await deliveries(intent: id))
    }

    private func attempts(intent: UUID) async throws -> [Attempt] {
        let rows = try await database.query(
            """
            SELECT id, stage, started_at, finished_at, duration_ms, outcome, http_status, correlation_id, error::text
            FROM attempts WHERE intent_id = \(intent) ORDER BY id
            """, logger: database.logger)
        var attempts: [Attempt] = []
        for try await (id, stage, startedAt, finishedAt, durationMs, outcome, httpStatus, correlationID, error)
            in rows.decode(
                (Int64, String, Date, Date?, Int?, String, Int?, String?, String?).self)
        {
            attempts.append(
                Attempt(
                    id: id, stage: stage, startedAt: startedAt, finishedAt: finishedAt, durationMs: durationMs,
                    outcome: outcome, httpStatus: httpStatus, correlationID: correlationID, errorJSON: error))
        }
        return attempts
    }

    private func booking(intent: UUID) async throws -> Booking? {
        let rows = try await database.query(
            """
            SELECT slug, start_time, end_time, calendar_event_id, contact_id, is_offline, resolved_by, response::text,
                   created_at
            FROM bookings WHERE intent_id = \(intent)
            """, logger: database.logger)
        for try await (slug, start, end, eventID, contactID, offline, resolvedBy, response, createdAt) in rows.decode(
            (String, Date, Date?, String?, String?, Bool, String?, String, Date).self)
        {
            return Booking(
                slug: slug, startTime: start, endTime: end, calendarEventID: eventID, contactID: contactID,
                isOffline: offline, resolvedBy: resolvedBy, responseJSON: response, createdAt: createdAt)
        }
        return nil
    }

    private func deliveries(intent: UUID) async throws -> [Delivery]? {
        do {
            let rows = try await database.query(
                """
                -- Deliveries reach an intent through the events about it.
                SELECT d.id, d.event_id, e.type, d.subscription_id, d.status, d.attempts, d.next_attempt_at,
                       d.last_status_code, d.created_at, d.delivered_at
                FROM deliveries d JOIN events e ON e.id = d.event_id
                WHERE e.intent_id = \(intent)
                ORDER BY d.id
                """, logger: database.logger)
            var deliveries: [Delivery] = []
            for try await (id, eventID, type, subscription, status, attempts, next, code, createdAt, deliveredAt)
                in rows.decode(
                    (Int64, String, String, UUID, String, Int, Date, Int?, Date, Date?).self)
            {
                deliveries.append(
                    Delivery(
                        id: id, eventID: eventID, eventType: type, subscriptionID: subscription, status: status,
                        attempts: attempts, nextAttemptAt: next, lastStatusCode: code, createdAt: createdAt,
                        deliveredAt: deliveredAt))
            }
            return deliveries
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "42P01" {
            // The webhooks migration is not applied: there are no deliveries to show.
            return nil
        }
    }

    /// Intents newest first, optionally of one status and source, continuing after `cursor`; returns up to `limit`
    /// rows and the cursor of the next page (`nil` on the last page).
    public func list(
        status: IntentStatus?, source: String?, limit: Int, after cursor: ListCursor?
    ) async throws
        -> (intents: [IntentRecord], next: ListCursor?)
    {
        let rows = try await database.query(
            """
            SELECT \(unescaped: Self.columns), (extract(epoch FROM created_at) * 1000000)::bigint
            FROM intents
            WHERE (\(status?.rawValue)::text IS NULL OR status = \(status?.rawValue))
              AND (\(source)::text IS NULL OR source = \(source))
              -- Keyset pagination: rows strictly after the cursor in (created_at DESC, id DESC) order.
              AND (\(cursor?.createdAtMicros)::bigint IS NULL
                   OR (created_at, id) < (timestamptz 'epoch' + \(cursor?.createdAtMicros) * interval '1 microsecond',
                                          \(cursor?.id)))
            ORDER BY created_at DESC, id DESC
            LIMIT \(limit + 1)
            """, logger: database.logger)
        var records: [(IntentRecord, Int64)] = []
        for try await row in rows {
            records.append(
                (try Self.decodeRecord(row), try row.makeRandomAccess()[Self.columnCount].decode(Int64.self)))
        }
        guard records.count > limit else { return (records.map(\.0), nil) }
        let last = records[limit - 1]
        return (records.prefix(limit).map(\.0), ListCursor(createdAtMicros: last.1, id: last.0.id))
    }
}
