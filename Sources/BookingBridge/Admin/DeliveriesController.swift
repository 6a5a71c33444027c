import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Admin routes for webhook deliveries: `GET /v1/deliveries?subscription=&status=&event=&limit=&cursor=` (newest
/// first), `GET /v1/deliveries/{id}` (with its attempts) and `POST /v1/deliveries/{id}/redeliver`.
///
/// Mounted by the composition root under `/v1` behind `AdminAuthMiddleware`.
public struct DeliveriesController: Sendable {
    static let defaultLimit = 50
    static let maximumLimit = 500

    let store: DeliveryStore

    public init(database: Database) { self.store = DeliveryStore(database: database) }

    /// Adds `deliveries`, `deliveries/{id}` and `deliveries/{id}/redeliver` to `group`.
    public func addRoutes(to group: RouterGroup<BridgeRequestContext>) {
        group.get("deliveries") { request, _ in try await self.list(request) }
        group.get("deliveries/{id}") { _, context in
            let id = try Self.id(context)
            guard let delivery = try await self.store.find(id: id) else {
                throw Problem(.notFound, detail: "no delivery has that id")
            }
            return try Response.json(
                DeliveryDetail(delivery: delivery, attempts: try await self.store.attempts(deliveryID: id)))
        }
        group.post("deliveries/{id}/redeliver") { _, context in
            switch try await self.store.redeliver(id: try Self.id(context)) {
            case .queued(let delivery):
                context.logger.notice("webhook delivery queued again", metadata: ["delivery_id": "\(delivery.id)"])
                return try Response.json(delivery, status: .accepted)
            case .notFound:
                throw Problem(.notFound, detail: "no delivery has that id")
            case .inFlight:
                throw Problem(
                    .conflict, detail: "the delivery is being sent right now; try again when its attempt ends")
            }
        }
    }

    private func list(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        func value(_ name: String) -> String? {
            query[Substring(name)].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        }
        var errors: [Problem.FieldError] = []
        var subscription: UUID?
        if let text = value("subscription") {
            subscription = UUID(uuidString: text)
            if subscription == nil {
                errors.append(.init(field: "subscription", message: "must be a subscription id (UUID)"))
            }
        }
        var status: DeliveryStatus?
        if let text = value("status") {
            status = DeliveryStatus(rawValue: text)
            if status == nil {
                errors.append(
                    .init(
                        field: "status",
                        message: "must be one of \(DeliveryStatus.allCases.map(\.rawValue).joined(separator: ", "))"))
            }
        }
        let event = value("event")
        if let event, event.count > 100 || event.unicodeScalars.contains("\u{0}") {
            errors.append(.init(field: "event", message: "must be an event id (the webhook-id)"))
        }
        var limit = Self.defaultLimit
        if let text = value("limit") {
            if let n = Int(text), (1...Self.maximumLimit).contains(n) {
                limit = n
            } else {
                errors.append(.init(field: "limit", message: "must be a whole number from 1 to \(Self.maximumLimit)"))
            }
        }
        var cursor: Int64?
        if let text = value("cursor") {
            // The last delivery id of a page: delivery ids are positive.
            cursor = Int64(text).flatMap { $0 > 0 ? $0 : nil }
            if cursor == nil { errors.append(.init(field: "cursor", message: "is not a cursor this API returned")) }
        }
        guard errors.isEmpty else { throw Problem(.badRequest, detail: "invalid query parameters", errors: errors) }
        let page = try await store.list(
            subscriptionID: subscription, status: status, eventID: event, before: cursor, limit: limit)
        let next = page.count == limit ? page.last.map { String($0.id) } : nil
        return try Response.json(DeliveryPage(data: page, nextCursor: next))
    }

    static func id(_ context: BridgeRequestContext) throws -> Int64 {
        guard let text = context.parameters.get("id"), let id = Int64(text) else {
            throw Problem(.notFound, detail: "no delivery has that id")
        }
        return id
    }
}
