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

/// The opaque `cursor` text: base64url of `v1:<microseconds>:<uuid>`.
///
/// A cursor is decoded only when its time lies in years 1 to 9999: the listing turns it into a `timestamptz`, and a
/// tampered value beyond PostgreSQL's range would make the query fail (a 500) instead of a 400 naming the cursor.
enum IntentListCursor {
    /// 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z in microseconds since 1970.
    static let validMicros: ClosedRange<Int64> = -62_135_596_800_000_000...253_402_300_799_999_999

    static func encode(_ cursor: IntentStore.ListCursor) -> String {
        Data("v1:\(cursor.createdAtMicros):\(cursor.id.uuidString.lowercased())".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: String) -> IntentStore.ListCursor? {
        guard text.count <= 200 else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let plain = String(data: data, encoding: .utf8) else {
            return nil
        }
        let parts = plain.split(separator: ":")
        guard parts.count == 3, parts[0] == "v1", let micros = Int64(parts[1]), validMicros.contains(micros),
            let id = UUID(uuidString: String(parts[2]))
        else { return nil }
        return .init(createdAtMicros: micros, id: id)
    }
}
