import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOFoundationCompat
import PostgresNIO

/// Operator actions on intents: `POST /v1/intents/{id}/retry`, `POST /v1/intents/{id}/resolve` and the bulk
/// `POST /v1/intents/retry` (a dry run counts, a real one requeues).
public struct IntentActionsController: Sendable {
    let database: Database
    let wake: @Sendable () -> Void

    public init(database: Database, wake: @escaping @Sendable () -> Void) {
        self.database = database
        self.wake = wake
    }

    /// Body of `resolve`: what the operator found in HubSpot.
    struct Resolution: Decodable {
        var status: String
        var calendarEventId: String?
        var contactId: String?
        var reason: String?

        static let maximumIDLength = 200
        static let maximumReasonLength = 2000

        /// What is wrong with the fields, checked before anything is stored: ids are at most 200 printable
        /// characters, the reason at most 2000 characters without NUL (PostgreSQL refuses NUL in text and jsonb).
        var problems: [Problem.FieldError] {
            var problems: [Problem.FieldError] = []
            for (field, value) in [("calendarEventId", calendarEventId), ("contactId", contactId)] {
                guard let value else { continue }
                if value.count > Self.maximumIDLength
                    || value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
                {
                    problems.append(
                        .init(field: field, message: "must be at most \(Self.maximumIDLength) printable characters"))
                }
            }
            if let reason, reason.count > Self.maximumReasonLength || reason.unicodeScalars.contains("\u{0}") {
                problems.append(
                    .init(field: "reason", message: "must be at most \(Self.maximumReasonLength) characters of text"))
            }
            return problems
        }
    }

    struct Answer: Encodable {
        var id: UUID
        var status: String
        var statusUrl: String
    }

    public func addRoutes(to group: RouterGroup<BridgeRequestContext>) {
        group.post("intents/retry") { request, context in
            guard let body = try await AdminBody.decode(BulkRetry.Body.self, from: request) else {
                throw Problem(.badRequest, detail: "send a JSON object as the request body")
            }
            let selection = try BulkRetry.selection(body).get()
            let dryRun = body.dryRun ?? true
            let (matched, requeued) = try await IntentStore(database: database).retryAll(selection, dryRun: dryRun)
            if requeued > 0 {
                context.logger.notice(
                    "operator requeued intents in bulk",
                    metadata: ["status": "\(selection.status.rawValue)", "count": "\(requeued)"])
                wake()
            }
            return try Response.json(BulkRetry.Answer(matched: matched, requeued: requeued))
        }
        group.post("intents/{id}/retry") { _, context in
            let id = try Self.id(context)
            let store = IntentStore(database: database)
            guard let intent = try await store.requeue(id: id) else {
                guard let existing = try await store.find(id: id) else {
                    throw Problem(.notFound, detail: "no intent \(id)")
                }
                throw Problem(
                    .conflict,
                    detail:
                        "only failed, offline or needs_review intents can be retried; this one is \(existing.status.rawValue)"
                )
            }
            context.logger.notice("operator requeued an intent", metadata: ["intent_id": "\(id)"])
            wake()
            return try Response.json(
                Answer(id: intent.id, status: intent.status.rawValue, statusUrl: "/v1/intents/\(intent.id)"),
                status: .accepted)
        }
        group.post("intents/{id}/resolve") { request, context in
            try await self.resolve(request, context)
        }
    }

    /// `POST /v1/intents/{id}/resolve`: an operator settles a `needs_review` intent as booked (with HubSpot's ids)
    /// or failed; the intent, the booking and the event are written in one transaction.
    private func resolve(_ request: Request, _ context: BridgeRequestContext) async throws -> Response {
        let id = try Self.id(context)
        let resolution = try await Self.resolution(request)
        let status: IntentStatus
        switch resolution.status {
        case "booked": status = .booked
        case "failed": status = .failed
        default:
            throw Problem(.unprocessableContent, errors: [.init(field: "status", message: "must be booked or failed")])
        }
        let reason =
            status == .failed
            ? FailureReason(origin: "operator", message: resolution.reason ?? "resolved as failed by an operator")
            : nil
        guard
            let resolved = try await IntentOutcomeStore.resolve(
                id: id, status: status, reason: reason, calendarEventId: resolution.calendarEventId,
                contactId: resolution.contactId, database: database, logger: context.logger)
        else {
            guard let existing = try await IntentStore(database: database).find(id: id) else {
                throw Problem(.notFound, detail: "no intent \(id)")
            }
            throw Problem(
                .conflict, detail: "only needs_review intents can be resolved; this one is \(existing.status.rawValue)")
        }
        context.logger.notice(
            "operator resolved an intent", metadata: ["intent_id": "\(id)", "status": "\(status.rawValue)"])
        return try Response.json(
            Answer(id: resolved.id, status: resolved.status.rawValue, statusUrl: "/v1/intents/\(resolved.id)"))
    }

    /// The resolution in the request's body, or a 422 saying what to send.
    private static func resolution(_ request: Request) async throws -> Resolution {
        let body = try await request.body.collect(upTo: 16 * 1024)
        let resolution: Resolution
        do {
            resolution = try JSONDecoder().decode(Resolution.self, from: Data(buffer: body))
        } catch let DecodingError.typeMismatch(_, context) {
            throw Problem(
                .unprocessableContent, detail: "a field has the wrong type",
                errors: [.init(field: AdminBody.path(context.codingPath), message: "has the wrong type")])
        } catch {
            throw Problem(
                .unprocessableContent,
                detail:
                    "send {\"status\": \"booked\", \"calendarEventId\": ..., \"contactId\": ...} or {\"status\": \"failed\", \"reason\": ...}",
                errors: [.init(field: "status", message: "required: booked or failed")])
        }
        let problems = resolution.problems
        guard problems.isEmpty else {
            throw Problem(.unprocessableContent, detail: "the resolution is not valid", errors: problems)
        }
        return resolution
    }

    static func id(_ context: BridgeRequestContext) throws -> UUID {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else {
            throw Problem(.notFound, detail: "intent ids are UUIDs")
        }
        return id
    }
}
