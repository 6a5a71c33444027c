import Foundation
import HTTPTypes
import Hummingbird

extension IntakeController {
    /// What a visitor may see of their own intent: its progress and, once booked, the meeting. Never the
    /// submission itself, never another visitor's data.
    struct VisitorStatus: Encodable, Sendable {
        /// `received` (also for spam, and while retrying), `booked`, `offline`, `failed` or `needs_review`.
        var status: String
        var start: String?
        var end: String?
        var timezone: String?
        var durationMinutes: Int?
        var subject: String?
        var location: String?
        var videoUrl: String?
        /// Why it did not book, in words for the visitor.
        var reason: String?
        /// The next open starts, when the slot was not available.
        var suggestedStartTimes: [String]?
    }

    /// `GET /v1/intake/{source}/receipts/{receipt}`.
    func receiptStatus(_ request: Request, context: BridgeRequestContext) async throws -> Response {
        let source = try source(context)
        let cors = Self.corsHeaders(source: source, origin: request.headers[.origin])
        var headers = cors
        headers[.cacheControl] = "no-store"
        guard let status = try await visitorStatus(source: source, receipt: context.parameters.get("receipt") ?? "")
        else {
            var problem = Problem(.notFound, detail: "no submission has that receipt")
            for field in cors { problem.headers.append(field) }
            throw problem
        }
        return try Response.json(status, headers: headers)
    }

    /// The status a receipt shows, or nil for a receipt that is wrong, of another source, or not public.
    func visitorStatus(source: PreparedSource, receipt: String) async throws -> VisitorStatus? {
        guard source.auth.isPublic, let id = VisitorReceipt.open(receipt, key: try await receiptKeys.key()),
            let intent = try await committer.store.find(id: id), intent.source == source.name
        else { return nil }
        return try await Self.visitorStatus(intent, database: committer.store.database)
    }

    static func visitorStatus(_ intent: IntentRecord, database: Database) async throws -> VisitorStatus {
        let request = intent.request
        let startMillis = HubSpotTimestamp.millis(request.startTime)
        var answer = VisitorStatus(
            status: intent.status.isFinal && intent.status != .spam ? intent.status.rawValue : "received",
            start: HubSpotTimestamp.iso8601(millis: startMillis),
            end: HubSpotTimestamp.iso8601(millis: startMillis + Int64(request.durationMinutes) * 60_000),
            timezone: request.timezone, durationMinutes: request.durationMinutes)
        switch intent.status {
        case .booked:
            if let booking = try await BookingStore.response(intentID: intent.id, database: database) {
                answer.start = HubSpotTimestamp.iso8601(millis: booking.startMillis)
                answer.end = HubSpotTimestamp.iso8601(millis: booking.endMillis)
                answer.subject = booking.subject
                answer.location = booking.location
                answer.videoUrl = booking.webConferenceUrl.flatMap { $0.hasPrefix("https://") ? $0 : nil }
            }
        case .failed, .offline, .needsReview:
            answer.reason = visitorReason(intent)
            let next = intent.lastError?.suggestedStartTimes ?? []
            if !next.isEmpty {
                answer.suggestedStartTimes = next.map { HubSpotTimestamp.iso8601(millis: HubSpotTimestamp.millis($0)) }
            }
        default:
            break
        }
        return answer
    }

    /// The failure in words a visitor can act on; HubSpot's own messages stay in the operators' view.
    static func visitorReason(_ intent: IntentRecord) -> String {
        switch intent.status {
        case .offline, .needsReview:
            return "pending"
        default:
            break
        }
        switch intent.lastError?.subCategory {
        case "MEETING_START_TIME_NOT_VALID", "MeetingsBookingSchedulingError.MEETING_START_TIME_NOT_VALID",
            "MEETING_TIME_NOT_AVAILABLE", "MeetingsBookingSchedulingError.MEETING_TIME_NOT_AVAILABLE":
            return "taken"
        case "INVALID_EMAIL": return "email"
        case "REQUIRED_FORM_FIELD", "CONSENT_REQUIRED": return "fields"
        default: return "other"
        }
    }
}
