import Foundation
import Logging
import PostgresNIO

/// Erases one person's data (the right to be forgotten): every intent submitted with their e-mail address, with
/// the intent's HubSpot attempts and booking, the events sent about it, and those events' deliveries and delivery
/// attempts, pending ones included (so nothing about the person is sent after the erasure).
///
/// It removes rows from this database only: the contact and meeting in HubSpot, and webhooks subscribers already
/// received, are outside the bridge's reach. An intent a worker is booking right now is left alone and counted in
/// `ForgetReport.inFlight`: run the erasure again once it finished (a lease lasts a minute by default).
public enum Forget {
    /// Deletes the data of the person with this e-mail address (compared case-insensitively, as intake stores it).
    public static func erase(email: String, database: Database) async throws -> ForgetReport {
        let address = normalized(email)
        guard !address.isEmpty else { throw ForgetError(.emptyAddress) }
        let rows = try await database.query(eraseQuery(email: address), logger: database.logger)
        var report = ForgetReport(email: address)
        for try await (intents, attempts, bookings, events, deliveries, deliveryAttempts, inFlight)
            in rows.decode((Int, Int, Int, Int, Int, Int, Int).self)
        {
            report.removed.intents = intents
            report.removed.attempts = attempts
            report.removed.bookings = bookings
            report.removed.events = events
            report.removed.deliveries = deliveries
            report.removed.deliveryAttempts = deliveryAttempts
            report.inFlight = inFlight
        }
        database.logger.info(
            "erased one person's data",
            metadata: report.removed.metadata.mapValues { .string($0) }.merging(["in_flight": "\(report.inFlight)"]) {
                $1
            })
        return report
    }

    /// As intake stores `intents.email`: trimmed and lower-cased.
    static func normalized(_ email: String) -> String {
        email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    /// One statement, so the erasure is all or nothing. The child rows are deleted explicitly (the foreign keys
    /// would cascade) so that each table's count can be reported.
    static func eraseQuery(email: String) -> PostgresQuery {
        """
        WITH target AS (
            SELECT id
            FROM intents
            WHERE email = \(email)
              -- Not an intent a worker holds a lease on: its booking may be in flight.
              AND NOT (status IN ('received', 'retrying') AND locked_until IS NOT NULL AND locked_until > now())
            FOR UPDATE
        ), gone_events AS (
            DELETE FROM events WHERE intent_id IN (SELECT id FROM target) RETURNING id
        ), gone_deliveries AS (
            DELETE FROM deliveries WHERE event_id IN (SELECT id FROM gone_events) RETURNING id
        ), gone_delivery_attempts AS (
            DELETE FROM delivery_attempts WHERE delivery_id IN (SELECT id FROM gone_deliveries) RETURNING 1
        ), gone_attempts AS (
            DELETE FROM attempts WHERE intent_id IN (SELECT id FROM target) RETURNING 1
        ), gone_bookings AS (
            DELETE FROM bookings WHERE intent_id IN (SELECT id FROM target) RETURNING 1
        ), gone_intents AS (
            DELETE FROM intents WHERE id IN (SELECT id FROM target) RETURNING 1
        )
        SELECT (SELECT count(*) FROM gone_intents)::bigint,
               (SELECT count(*) FROM gone_attempts)::bigint,
               (SELECT count(*) FROM gone_bookings)::bigint,
               (SELECT count(*) FROM gone_events)::bigint,
               (SELECT count(*) FROM gone_deliveries)::bigint,
               (SELECT count(*) FROM gone_delivery_attempts)::bigint,
               (SELECT count(*) FROM intents
                WHERE email = \(email) AND status IN ('received', 'retrying')
                  AND locked_until IS NOT NULL AND locked_until > now())::bigint
        """
    }
}
