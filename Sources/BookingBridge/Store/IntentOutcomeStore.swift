import Foundation
import Logging
import PostgresNIO

/// The one transaction that ends an intent: its final status, HubSpot's booking, the attempt that decided it, the
/// slot hold settled, and one webhook delivery per matching subscription (the transactional outbox). Either all of
/// it is committed or none of it.
enum IntentOutcomeStore {
    struct Outcome: Sendable {
        var status: IntentStatus
        var reason: FailureReason?
        var attempts: Int
        var booking: HubSpotBookingResponse?
        var attempt: BookingStore.Attempt?
        /// The event's data (sent when the status has an event type).
        var event: BookingEventData
    }

    /// Commits `outcome` for an intent held by `owner`. Returns false, changing nothing, when the lease was lost to
    /// another worker. While the database cannot be reached the transaction is tried again, for up to `patience`:
    /// a booking HubSpot made must not be forgotten for a short outage.
    static func commit(
        _ outcome: Outcome, intent: IntentRecord, owner: String, database: Database,
        patience: Duration = .seconds(30), logger: Logger
    ) async throws -> Bool {
        var delay: Duration = .milliseconds(200)
        let deadline = ContinuousClock.now + patience
        while true {
            do {
                return try await commitOnce(outcome, intent: intent, owner: owner, database: database, logger: logger)
            } catch let error as PostgresTransactionError {
                guard ContinuousClock.now < deadline, !Task.isCancelled else { throw error }
                logger.warning(
                    "could not record the outcome yet; retrying", metadata: ["error": "\(String(reflecting: error))"])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }

    /// Thrown inside the transaction to roll it back when the lease was lost.
    private struct LeaseLost: Error {}

    private static func commitOnce(
        _ outcome: Outcome, intent: IntentRecord, owner: String, database: Database, logger: Logger
    ) async throws -> Bool {
        do {
            try await database.withTransaction(logger: logger) { connection in
                guard
                    try await IntentStore.finish(
                        id: intent.id, owner: owner, status: outcome.status, reason: outcome.reason,
                        attempts: outcome.attempts, on: connection, logger: logger)
                else { throw LeaseLost() }
                if let booking = outcome.booking {
                    try await BookingStore.insert(
                        intentID: intent.id, slug: intent.request.slug, response: booking, on: connection,
                        logger: logger)
                }
                if let attempt = outcome.attempt {
                    try await BookingStore.record(attempt, intentID: intent.id, on: connection, logger: logger)
                }
                // A booked (or possibly booked) slot stays held; any other outcome frees it.
                try await AvailabilityStore.settle(
                    intentID: intent.id, booked: outcome.status == .booked || outcome.status == .needsReview,
                    on: connection, logger: logger)
                if let type = outcome.status.eventType {
                    _ = try await Outbox.enqueue(
                        type: type, data: outcome.event, source: intent.source, intentID: intent.id, on: connection,
                        logger: logger)
                }
            }
            return true
        } catch let error as PostgresTransactionError where error.closureError is LeaseLost {
            return false
        }
    }
}

extension IntentOutcomeStore {
    /// An operator's resolution of a `needs_review` intent, in one transaction: the final status, a booking row
    /// with the ids HubSpot showed the operator (when booked), and the event. Nil, changing nothing, when the
    /// intent is not (or no longer) `needs_review`.
    static func resolve(
        id: UUID, status: IntentStatus, reason: FailureReason?, calendarEventId: String?, contactId: String?,
        database: Database, logger: Logger
    ) async throws -> IntentRecord? {
        try await database.withTransaction(logger: logger) { connection -> IntentRecord? in
            guard
                let intent = try await IntentStore.resolve(
                    id: id, status: status, reason: reason, on: connection, logger: logger)
            else { return nil }
            let request = intent.request
            var booking: BookingEventData.Booking?
            if status == .booked {
                try await BookingStore.insertResolved(
                    intentID: id, slug: request.slug, start: request.startTime, calendarEventId: calendarEventId,
                    contactId: contactId, resolvedBy: "operator", on: connection, logger: logger)
                booking = BookingEventData.Booking(
                    calendarEventId: calendarEventId ?? "", contactId: contactId ?? "", start: request.startTime,
                    end: request.startTime.addingTimeInterval(Double(request.durationMinutes) * 60),
                    durationMinutes: request.durationMinutes, subject: "", bookingTimezone: request.timezone,
                    isOffline: false, location: nil, webConferenceUrl: nil, resolvedBy: "operator")
            }
            if let type = status.eventType {
                _ = try await Outbox.enqueue(
                    type: type,
                    data: BookingEventData(
                        intent: intent, status: status, attempts: intent.attempts, booking: booking, reason: reason),
                    source: intent.source, intentID: id, on: connection, logger: logger)
            }
            return intent
        }
    }
}
