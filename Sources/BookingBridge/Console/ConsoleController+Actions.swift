import Foundation
import HTTPTypes
import Hummingbird

/// The console's forms. Each one checks origin, session and CSRF token (`action`), then makes the admin API call
/// that does the work and shows its answer: a refusal of the API is shown to the operator with the same status.
extension ConsoleController {
    func addActions(to console: RouterGroup<BridgeRequestContext>) {
        addIntentActions(to: console)
        addSubscriptionActions(to: console)
    }

    /// Retry and resolve one intent, and the bulk retry.
    private func addIntentActions(to console: RouterGroup<BridgeRequestContext>) {
        console.post("intents/{id}/retry") { request, context in
            try await self.action(request, context) { session, _ in
                let id = try Self.uuid(context)
                let answer = try await self.admin(.post, "/v1/intents/\(id)/retry", context: context)
                return try await self.after(answer, session, then: "/console/intents/\(id)?done=retried")
            }
        }
        console.post("intents/{id}/resolve") { request, context in
            try await self.action(request, context) { session, form in
                let id = try Self.uuid(context)
                var body: [String: Any] = ["status": form["status"] ?? ""]
                for key in ["calendarEventId", "contactId", "reason"] {
                    if let value = form[key], !value.isEmpty { body[key] = value }
                }
                let answer = try await self.admin(.post, "/v1/intents/\(id)/resolve", json: body, context: context)
                return try await self.after(answer, session, then: "/console/intents/\(id)?done=resolved")
            }
        }
        console.post("retry") { request, context in
            try await self.action(request, context) { session, form in
                var query: [String: String] = [:]
                var body: [String: Any] = ["dryRun": form["dryRun"] != "false"]
                for key in ["status", "reason", "source", "since", "until"] {
                    guard let value = form[key], !value.isEmpty else { continue }
                    query[key] = value
                    body[key] = ["since", "until"].contains(key) ? Self.utcTime(value) : value
                }
                let answer = try await self.admin(.post, "/v1/intents/retry", json: body, context: context)
                guard answer.isSuccess else {
                    return Self.html(
                        self.retryPage(session, query: query, result: nil, error: answer.problemText),
                        status: answer.status)
                }
                let matched = answer.object["matched"] as? Int ?? 0
                let requeued = answer.object["requeued"] as? Int ?? 0
                return Self.html(
                    self.retryPage(
                        session, query: query,
                        result: (body["dryRun"] as? Bool == true ? "dry" : "real", matched, requeued)))
            }
        }
    }

    /// Create, enable or disable, rotate the secret of and recover a subscription, and redeliver a delivery.
    private func addSubscriptionActions(to console: RouterGroup<BridgeRequestContext>) {
        console.post("subscriptions") { request, context in
            try await self.action(request, context) { session, form in
                var body: [String: Any] = ["url": form["url"] ?? ""]
                if let types = form["eventTypes"], !types.isEmpty {
                    body["eventTypes"] = types.split(separator: ",").map { $0.trimmingWhitespace() }.filter {
                        !$0.isEmpty
                    }
                }
                if let description = form["description"], !description.isEmpty { body["description"] = description }
                let answer = try await self.admin(.post, "/v1/subscriptions", json: body, context: context)
                guard answer.isSuccess else { return self.refused(answer, session) }
                return self.secretPage(answer, session, title: "Subscription created")
            }
        }
        console.post("subscriptions/{id}/enabled") { request, context in
            try await self.action(request, context) { session, form in
                let id = try Self.uuid(context)
                let enabled = form["enabled"] == "true"
                let answer = try await self.admin(
                    .patch, "/v1/subscriptions/\(id)", json: ["enabled": enabled], context: context)
                return try await self.after(
                    answer, session, then: "/console/subscriptions/\(id)?done=\(enabled ? "enabled" : "disabled")")
            }
        }
        console.post("subscriptions/{id}/rotate-secret") { request, context in
            try await self.action(request, context) { session, _ in
                let id = try Self.uuid(context)
                let answer = try await self.admin(.post, "/v1/subscriptions/\(id)/rotate-secret", context: context)
                guard answer.isSuccess else { return self.refused(answer, session) }
                return self.secretPage(answer, session, title: "Secret rotated")
            }
        }
        console.post("subscriptions/{id}/recover") { request, context in
            try await self.action(request, context) { session, form in
                let id = try Self.uuid(context)
                let since = Self.utcTime(form["since"] ?? "")
                let encoded = since.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                let answer = try await self.admin(
                    .post, "/v1/subscriptions/\(id)/recover?since=\(encoded)", context: context)
                return try await self.after(answer, session, then: "/console/subscriptions/\(id)?done=recovered")
            }
        }
        console.post("deliveries/{id}/redeliver") { request, context in
            try await self.action(request, context) { session, _ in
                guard let text = context.parameters.get("id"), let id = Int64(text) else {
                    throw Problem(.notFound, detail: "no delivery has that id")
                }
                let answer = try await self.admin(.post, "/v1/deliveries/\(id)/redeliver", context: context)
                guard answer.isSuccess else { return self.refused(answer, session) }
                let subscription = (answer.object["subscriptionId"] as? String).flatMap(UUID.init(uuidString:))
                return Self.redirect(
                    subscription.map { "/console/subscriptions/\($0.uuidString.lowercased())?done=redelivered" }
                        ?? "/console/deliveries/\(id)")
            }
        }
    }

    /// After an action: on to `then`, or the API's refusal.
    private func after(
        _ answer: AdminCall.Answer, _ session: Session, then location: String
    ) async throws
        -> Response
    {
        answer.isSuccess ? Self.redirect(location) : refused(answer, session)
    }

    private func refused(_ answer: AdminCall.Answer, _ session: Session) -> Response {
        Self.html(
            ConsolePages.page(
                nil, title: "Not done", session: session,
                content: """
                    \(ConsolePages.error(answer.problemText))
                    <p><a href="/console">Back to the overview</a></p>
                    """), status: answer.status)
    }

    /// Shows a subscription's secret, this once (the page is not cached, and the list never shows it).
    private func secretPage(_ answer: AdminCall.Answer, _ session: Session, title: String) -> Response {
        let object = answer.object
        let id = object["id"] as? String ?? ""
        let content: HTML = """
            <section class="card"><p>The signing secret of <span class="mono">\(object["url"] as? String ?? "")</span>.
            Copy it now: it is not shown again.</p>
            <p class="secret mono" id="secret">\(object["secret"] as? String ?? "")</p>
            <p><a href="/console/subscriptions/\(id)">Go to the subscription</a></p></section>
            """
        return Self.html(ConsolePages.page(.subscriptions, title: title, session: session, content: content))
    }

    static func uuid(_ context: BridgeRequestContext) throws -> String {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else {
            throw Problem(.notFound, detail: "ids are UUIDs")
        }
        return id.uuidString.lowercased()
    }

    /// A `datetime-local` value (`2026-05-01T09:30`, no zone) read as UTC; anything else as it is, for the API to
    /// judge.
    static func utcTime(_ text: String) -> String {
        let parts = text.split(separator: ":")
        let plain = text.count <= 19 && !text.contains("Z") && !text.contains("+")
        if plain && parts.count == 2 { return text + ":00Z" }
        if plain && parts.count == 3 { return text + "Z" }
        return text
    }
}
