import Foundation

/// `GET /v1/intents/{id}`.
struct IntentView: Encodable {
    struct Received: Encodable {
        var contentType: String?
        var fields: JSONValue
        var clientIp: String?
        var userAgent: String?
    }

    struct Attempt: Encodable {
        var id: Int64
        var stage: String
        var startedAt: Date
        var finishedAt: Date?
        var durationMs: Int?
        var outcome: String
        var httpStatus: Int?
        var correlationId: String?
        var error: JSONValue?
    }

    struct Booking: Encodable {
        var slug: String
        var startTime: Date
        var endTime: Date?
        var calendarEventId: String?
        var contactId: String?
        var isOffline: Bool
        var resolvedBy: String?
        var response: JSONValue
        var createdAt: Date
    }

    struct Delivery: Encodable {
        var id: Int64
        var eventId: String
        var eventType: String
        var subscriptionId: String
        var status: String
        var attempts: Int
        var nextAttemptAt: Date
        var lastStatusCode: Int?
        var createdAt: Date
        var deliveredAt: Date?
    }

    var id: String
    var source: String
    var status: String
    var idempotencyKey: String
    var request: BookingRequest
    var received: Received
    var attemptCount: Int
    var uncertain: Bool
    var lockedBy: String?
    var lockedUntil: Date?
    var nextAttemptAt: Date
    var lastError: FailureReason?
    var createdAt: Date
    var updatedAt: Date
    var finishedAt: Date?
    var attempts: [Attempt]
    var booking: Booking?
    /// Absent while the webhooks tables do not exist.
    var deliveries: [Delivery]?

    init(_ detail: IntentStore.Detail) {
        let r = detail.record
        id = r.id.uuidString.lowercased()
        source = r.source
        status = r.status.rawValue
        idempotencyKey = r.idempotencyKey
        request = r.request
        let raw = JSONValue.parse(detail.rawJSON)
        var contentType: String?
        var fields = JSONValue.object([:])
        if case .object(let object)? = raw {
            if case .string(let type)? = object["contentType"] { contentType = type }
            fields = object["fields"] ?? fields
        }
        received = Received(
            contentType: contentType, fields: fields, clientIp: detail.clientIP, userAgent: detail.userAgent)
        attemptCount = r.attempts
        uncertain = r.uncertain
        lockedBy = r.lockedBy
        lockedUntil = r.lockedUntil
        nextAttemptAt = r.nextAttemptAt
        lastError = r.lastError
        createdAt = r.createdAt
        updatedAt = r.updatedAt
        finishedAt = r.finishedAt
        attempts = detail.attempts.map { a in
            Attempt(
                id: a.id, stage: a.stage, startedAt: a.startedAt, finishedAt: a.finishedAt, durationMs: a.durationMs,
                outcome: a.outcome, httpStatus: a.httpStatus, correlationId: a.correlationID,
                error: a.errorJSON.flatMap(JSONValue.parse))
        }
        booking = detail.booking.map { b in
            Booking(
                slug: b.slug, startTime: b.startTime, endTime: b.endTime, calendarEventId: b.calendarEventID,
                contactId: b.contactID, isOffline: b.isOffline, resolvedBy: b.resolvedBy,
                response: JSONValue.parse(b.responseJSON) ?? .null, createdAt: b.createdAt)
        }
        deliveries = detail.deliveries?.map { d in
            Delivery(
                id: d.id, eventId: d.eventID, eventType: d.eventType,
                subscriptionId: d.subscriptionID.uuidString.lowercased(),
                status: d.status, attempts: d.attempts, nextAttemptAt: d.nextAttemptAt,
                lastStatusCode: d.lastStatusCode,
                createdAt: d.createdAt, deliveredAt: d.deliveredAt)
        }
    }
}
