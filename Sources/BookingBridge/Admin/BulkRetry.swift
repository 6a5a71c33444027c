import Foundation
import Hummingbird

/// `POST /v1/intents/retry`: the body, its checks, and the answer.
enum BulkRetry {
    /// `{"status", "reason"?, "source"?, "since"?, "until"?, "dryRun"}`; `dryRun` is true when left out, so a
    /// forgotten flag counts instead of requeueing.
    struct Body: Decodable {
        var status: String?
        var reason: String?
        var source: String?
        var since: String?
        var until: String?
        var dryRun: Bool?
    }

    struct Answer: Codable, Equatable {
        var matched: Int
        var requeued: Int
    }

    static let maximumTextLength = 2000

    /// The selection the body asks for, or the field errors that keep it from being one (checked before any query).
    static func selection(_ body: Body) -> Result<IntentStore.RetrySelection, Problem> {
        var errors: [Problem.FieldError] = []
        let allowed = IntentStore.bulkRetryStatuses.map(\.rawValue)
        var status: IntentStatus?
        if let text = body.status {
            status = IntentStatus(rawValue: text).flatMap { IntentStore.bulkRetryStatuses.contains($0) ? $0 : nil }
            if status == nil {
                let hint = text == IntentStatus.needsReview.rawValue ? " (retry needs_review intents one by one)" : ""
                errors.append(.init(field: "status", message: "must be \(allowed.joined(separator: " or "))\(hint)"))
            }
        } else {
            errors.append(.init(field: "status", message: "is required: \(allowed.joined(separator: " or "))"))
        }
        for (field, value) in [("reason", body.reason), ("source", body.source)] {
            guard let value else { continue }
            if value.isEmpty || value.count > maximumTextLength || value.unicodeScalars.contains("\u{0}") {
                errors.append(.init(field: field, message: "must be 1 to \(maximumTextLength) characters of text"))
            }
        }
        func time(_ field: String, _ text: String?) -> Date? {
            guard let text else { return nil }
            guard let date = SubscriptionsController.parseTime(text), Self.storable.contains(date) else {
                errors.append(
                    .init(field: field, message: "must be an ISO 8601 time such as 2026-05-01T00:00:00Z"))
                return nil
            }
            return date
        }
        let since = time("since", body.since)
        let until = time("until", body.until)
        if let since, let until, until <= since {
            errors.append(.init(field: "until", message: "must be after since"))
        }
        guard errors.isEmpty, let status else {
            return .failure(Problem(.unprocessableContent, detail: "the selection is not valid", errors: errors))
        }
        return .success(
            .init(status: status, reason: body.reason, source: body.source, since: since, until: until))
    }

    /// Years 1 to 9999: a `timestamptz` parameter outside PostgreSQL's range would fail the query.
    static let storable: ClosedRange<Date> =
        Date(timeIntervalSince1970: -62_135_596_800)...Date(timeIntervalSince1970: 253_402_300_799)
}
