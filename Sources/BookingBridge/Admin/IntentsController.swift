import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Admin routes for intents: `GET /v1/intents/{id}` (status, normalized request, submission, last error,
/// attempts, booking, deliveries) and `GET /v1/intents?status=&source=&limit=&cursor=` (newest first).
///
/// Mounted by the composition root under `/v1` behind `AdminAuthMiddleware`.
public struct IntentsController: Sendable {
    static let defaultLimit = 50
    static let maximumLimit = 200

    let store: IntentStore

    public init(database: Database) { self.store = IntentStore(database: database) }

    /// Adds `intents` and `intents/{id}` to `group`.
    public func addRoutes(to group: RouterGroup<BridgeRequestContext>) {
        group.get("intents") { request, context in try await self.list(request, context: context) }
        group.get("intents/{id}") { request, context in try await self.show(request, context: context) }
    }

    private func show(_ request: Request, context: BridgeRequestContext) async throws -> Response {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else {
            throw Problem(
                .badRequest, detail: "an intent id is a UUID", errors: [.init(field: "id", message: "must be a UUID")])
        }
        guard let detail = try await store.detail(id: id) else {
            throw Problem(.notFound, detail: "no intent has that id")
        }
        return try Response.json(IntentView(detail))
    }

    private func list(_ request: Request, context: BridgeRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        var errors: [Problem.FieldError] = []
        var status: IntentStatus?
        if let text = query["status"].map(String.init), !text.isEmpty {
            status = IntentStatus(rawValue: text)
            if status == nil {
                errors.append(
                    .init(
                        field: "status",
                        message: "must be one of \(IntentStatus.allCases.map(\.rawValue).joined(separator: ", "))"))
            }
        }
        let source = query["source"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        if let source, source.utf8.contains(0) || source.utf8.count > 200 {
            errors.append(.init(field: "source", message: "must be a source name"))
        }
        var limit = Self.defaultLimit
        if let text = query["limit"].map(String.init), !text.isEmpty {
            if let value = Int(text), (1...Self.maximumLimit).contains(value) {
                limit = value
            } else {
                errors.append(.init(field: "limit", message: "must be a whole number from 1 to \(Self.maximumLimit)"))
            }
        }
        var cursor: IntentStore.ListCursor?
        if let text = query["cursor"].map(String.init), !text.isEmpty {
            cursor = IntentListCursor.decode(text)
            if cursor == nil { errors.append(.init(field: "cursor", message: "is not a cursor this API returned")) }
        }
        guard errors.isEmpty else { throw Problem(.badRequest, detail: "invalid query parameters", errors: errors) }
        let page = try await store.list(status: status, source: source, limit: limit, after: cursor)
        return try Response.json(
            IntentPage(
                intents: page.intents.map(IntentSummary.init), nextCursor: page.next.map(IntentListCursor.encode)))
    }
}
