import Foundation

/// One row of `GET /v1/intents`.
struct IntentSummary: Encodable {
    var id: String
    var source: String
    var status: String
    var request: BookingRequest
    var attemptCount: Int
    var lastError: FailureReason?
    var createdAt: Date
    var updatedAt: Date
    var finishedAt: Date?

    init(_ r: IntentRecord) {
        id = r.id.uuidString.lowercased()
        source = r.source
        status = r.status.rawValue
        request = r.request
        attemptCount = r.attempts
        lastError = r.lastError
        createdAt = r.createdAt
        updatedAt = r.updatedAt
        finishedAt = r.finishedAt
    }
}
