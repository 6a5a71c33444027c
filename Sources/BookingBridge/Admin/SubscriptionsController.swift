import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Admin routes for webhook subscriptions: create, list, read, change, delete, rotate the secret, and recover
/// failed deliveries.
///
/// Mounted by the composition root under `/v1` behind `AdminAuthMiddleware`.
public struct SubscriptionsController: Sendable {
    let store: SubscriptionStore
    let deliveries: DeliveryStore
    let settings: WebhookSettings
    let validation: SubscriptionValidation

    public init(database: Database, settings: WebhookSettings) {
        self.init(database: database, settings: settings, resolver: SystemHostResolver())
    }

    /// As above, with the resolver URL checks use.
    public init(database: Database, settings: WebhookSettings, resolver: any HostResolver) {
        self.store = SubscriptionStore(database: database)
        self.deliveries = DeliveryStore(database: database)
        self.settings = settings
        self.validation = SubscriptionValidation(settings: settings, resolver: resolver)
    }

    /// Adds `subscriptions`, `subscriptions/{id}`, `subscriptions/{id}/rotate-secret` and
    /// `subscriptions/{id}/recover` to `group`.
    public func addRoutes(to group: RouterGroup<BridgeRequestContext>) {
        group.post("subscriptions") { request, context in try await self.create(request, context: context) }
        group.get("subscriptions") { _, _ in
            try Response.json(
                SubscriptionList(data: try await self.store.list().map { SubscriptionView($0, showSecret: false) }))
        }
        group.get("subscriptions/{id}") { _, context in
            try Response.json(SubscriptionView(try await self.existing(context), showSecret: true))
        }
        group.patch("subscriptions/{id}") { request, context in try await self.update(request, context: context) }
        group.delete("subscriptions/{id}") { _, context in
            guard try await self.store.delete(id: try Self.id(context)) else {
                throw Problem(.notFound, detail: "no subscription has that id")
            }
            return Response(status: .noContent)
        }
        group.post("subscriptions/{id}/rotate-secret") { request, context in
            try await self.rotate(request, context: context)
        }
        group.post("subscriptions/{id}/recover") { request, context in try await self.recover(request, context: context)
        }
    }

    private func create(_ request: Request, context: BridgeRequestContext) async throws -> Response {
        guard let body = try await AdminBody.decode(CreateSubscriptionBody.self, from: request) else {
            throw Problem(.badRequest, detail: "send a JSON object as the request body")
        }
        var errors: [Problem.FieldError] = []
        if let url = body.url {
            if let problem = await validation.urlProblem(url) { errors.append(.init(field: "url", message: problem)) }
        } else {
            errors.append(.init(field: "url", message: "is required"))
        }
        let eventTypes = body.eventTypes ?? ["booking.*"]
        errors += SubscriptionValidation.eventTypeProblems(eventTypes)
        if let sources = body.sources { errors += SubscriptionValidation.sourcesProblems(sources) }
        if let secret = body.secret, let problem = SubscriptionValidation.secretProblem(secret) {
            errors.append(.init(field: "secret", message: problem))
        }
        if let description = body.description, let problem = SubscriptionValidation.descriptionProblem(description) {
            errors.append(.init(field: "description", message: problem))
        }
        if let rate = body.maxPerSecond, let problem = SubscriptionValidation.maxPerSecondProblem(rate) {
            errors.append(.init(field: "maxPerSecond", message: problem))
        }
        var settings: SubscriptionValidation.Body?
        switch SubscriptionValidation.body(
            format: body.format, template: body.template, contentType: body.contentType, eventTypes: eventTypes)
        {
        case .success(let value): settings = value
        case .failure(let problems): errors += problems.errors
        }
        var filter: WebhookFilter?
        switch SubscriptionValidation.filter(body.filter) {
        case .success(let value): filter = value
        case .failure(let problems): errors += problems.errors
        }
        guard errors.isEmpty, let url = body.url, let settings else {
            throw Problem(.unprocessableContent, detail: "the subscription is not valid", errors: errors)
        }
        let subscription = try await store.create(
            NewSubscription(
                url: url, eventTypes: eventTypes, sources: body.sources, description: body.description,
                secret: body.secret ?? StandardWebhooks.Secret.generate().text, enabled: body.enabled ?? true,
                maxPerSecond: body.maxPerSecond ?? settings.format.defaultMaxPerSecond, format: settings.format,
                template: settings.template, contentType: settings.contentType, filter: filter))
        context.logger.notice(
            "webhook subscription created",
            metadata: ["subscription_id": "\(subscription.id)", "url": "\(subscription.url)"])
        return try Response.json(
            SubscriptionView(subscription, showSecret: true), status: .created,
            headers: [.location: "/v1/subscriptions/\(subscription.id.uuidString.lowercased())"])
    }

    private func update(_ request: Request, context: BridgeRequestContext) async throws -> Response {
        let id = try Self.id(context)
        guard let body = try await AdminBody.decode(PatchSubscriptionBody.self, from: request) else {
            throw Problem(.badRequest, detail: "send a JSON object as the request body")
        }
        var errors: [Problem.FieldError] = []
        if let url = body.url, let problem = await validation.urlProblem(url) {
            errors.append(.init(field: "url", message: problem))
        }
        if let types = body.eventTypes { errors += SubscriptionValidation.eventTypeProblems(types) }
        if case .some(.some(let sources)) = body.sources { errors += SubscriptionValidation.sourcesProblems(sources) }
        if case .some(.some(let description)) = body.description,
            let problem = SubscriptionValidation.descriptionProblem(description)
        {
            errors.append(.init(field: "description", message: problem))
        }
        if case .some(.some(let rate)) = body.maxPerSecond,
            let problem = SubscriptionValidation.maxPerSecondProblem(rate)
        {
            errors.append(.init(field: "maxPerSecond", message: problem))
        }
        // Format, template and content type are checked together, with what the subscription has now.
        var settings: SubscriptionValidation.Body?
        var maxPerSecond = body.maxPerSecond
        if body.format != nil || body.template != nil || body.contentType != nil || body.eventTypes != nil {
            guard let existing = try await store.find(id: id) else {
                throw Problem(.notFound, detail: "no subscription has that id")
            }
            let newTemplate: String? = body.template ?? nil
            let format =
                body.format ?? (newTemplate != nil ? WebhookFormat.template.rawValue : existing.format.rawValue)
            let keeps = format == WebhookFormat.template.rawValue
            let template: String? = keeps ? (body.template ?? existing.template) : newTemplate
            let newContentType: String? = body.contentType ?? nil
            let contentType: String? = keeps ? (body.contentType ?? existing.contentType) : newContentType
            switch SubscriptionValidation.body(
                format: format, template: template, contentType: contentType,
                eventTypes: body.eventTypes ?? existing.eventTypes)
            {
            case .success(let value):
                settings = value
                // A change to a chat format is paced as a subscription created with it, unless the change sets
                // the rate itself.
                if body.maxPerSecond == nil, value.format != existing.format,
                    let rate = value.format.defaultMaxPerSecond
                {
                    maxPerSecond = .some(rate)
                }
            case .failure(let problems): errors += problems.errors
            }
        }
        var filter: WebhookFilter??
        if case .some(let json) = body.filter {
            switch SubscriptionValidation.filter(json) {
            case .success(let value): filter = .some(value)
            case .failure(let problems): errors += problems.errors
            }
        }
        guard errors.isEmpty else {
            throw Problem(.unprocessableContent, detail: "the change is not valid", errors: errors)
        }
        let changes = SubscriptionChanges(
            url: body.url, eventTypes: body.eventTypes, sources: body.sources, description: body.description,
            enabled: body.enabled, maxPerSecond: maxPerSecond, format: settings?.format,
            template: settings.map { $0.template }, contentType: settings.map { $0.contentType },
            filter: filter)
        guard let updated = try await store.update(id: id, changes) else {
            throw Problem(.notFound, detail: "no subscription has that id")
        }
        if let enabled = body.enabled {
            context.logger.notice(
                enabled ? "webhook subscription enabled" : "webhook subscription disabled",
                metadata: ["subscription_id": "\(id)"])
        }
        return try Response.json(SubscriptionView(updated, showSecret: false))
    }

    private func rotate(_ request: Request, context: BridgeRequestContext) async throws -> Response {
        let id = try Self.id(context)
        let body = try await AdminBody.decode(RotateSecretBody.self, from: request, allowEmpty: true)
        if let secret = body?.secret, let problem = SubscriptionValidation.secretProblem(secret) {
            throw Problem(
                .unprocessableContent, detail: "the secret is not valid",
                errors: [.init(field: "secret", message: problem)])
        }
        let secret = body?.secret ?? StandardWebhooks.Secret.generate().text
        guard
            let rotated = try await store.rotateSecret(
                id: id, newSecret: secret, overlap: settings.secretRotationOverlap)
        else {
            throw Problem(.notFound, detail: "no subscription has that id")
        }
        context.logger.notice("webhook secret rotated", metadata: ["subscription_id": "\(id)"])
        return try Response.json(SubscriptionView(rotated, showSecret: true))
    }

    private func recover(_ request: Request, context: BridgeRequestContext) async throws -> Response {
        let subscription = try await existing(context)
        guard let text = request.uri.queryParameters["since"].map(String.init), !text.isEmpty else {
            throw Problem(
                .badRequest, detail: "say since when failed deliveries are recovered",
                errors: [.init(field: "since", message: "is required (an ISO 8601 time)")])
        }
        guard let since = Self.parseTime(text) else {
            throw Problem(
                .badRequest, detail: "since is not a time",
                errors: [.init(field: "since", message: "must be an ISO 8601 time such as 2026-05-01T00:00:00Z")])
        }
        let count = try await deliveries.recover(subscriptionID: subscription.id, since: since)
        context.logger.notice(
            "failed webhook deliveries queued again",
            metadata: ["subscription_id": "\(subscription.id)", "count": "\(count)"])
        return try Response.json(
            RecoverResult(subscriptionId: subscription.id.uuidString.lowercased(), since: since, requeued: count),
            status: .accepted)
    }

    private func existing(_ context: BridgeRequestContext) async throws -> Subscription {
        guard let subscription = try await store.find(id: try Self.id(context)) else {
            throw Problem(.notFound, detail: "no subscription has that id")
        }
        return subscription
    }

    static func id(_ context: BridgeRequestContext) throws -> UUID {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else {
            throw Problem(
                .notFound, detail: "no subscription has that id",
                errors: [.init(field: "id", message: "must be a UUID")])
        }
        return id
    }

    static func parseTime(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
