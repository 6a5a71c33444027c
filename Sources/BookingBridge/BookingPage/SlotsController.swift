import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// `GET /v1/sources/{source}/slots`: a source's open slots for days in a time zone, from the shared availability
/// cache. Open to browsers for `public` sources (CORS for the source's allowed origins, a per-client limit);
/// other sources need the admin token.
struct SlotsController: Sendable {
    let sources: [String: SourceConfiguration]
    /// Each source's slots come from the availability cache of its own HubSpot account.
    let reads: SourceReads
    let adminToken: String?
    let limiter: IntakeRateLimiter

    init(
        sources: [String: SourceConfiguration], reads: SourceReads, adminToken: String?,
        settings: AvailabilitySettings
    ) {
        self.sources = sources
        self.reads = reads
        self.adminToken = adminToken
        self.limiter = IntakeRateLimiter(clientPerMinute: settings.rateLimitPerClientPerMinute)
    }

    struct Answer: Encodable {
        struct Slot: Encodable {
            var start: String
            var end: String
        }
        var source: String
        var slug: String
        var durationMinutes: Int
        var timezone: String
        var slots: [Slot]
        var stale: Bool
    }

    func addRoutes(to router: Router<BridgeRequestContext>) {
        router.get("/v1/sources/{source}/slots") { request, context in
            try await self.slots(request, context: context)
        }
        router.on("/v1/sources/{source}/slots", method: .options) { request, context in
            let (_, source) = try self.source(context)
            guard case .public = source.auth, let origin = request.headers[.origin],
                !Self.cors(source, origin: origin).isEmpty
            else { throw Problem(.forbidden, detail: "this source's slots are not open to that origin") }
            var headers = Self.cors(source, origin: origin)
            headers[.accessControlAllowMethods] = "GET, OPTIONS"
            headers[.accessControlMaxAge] = "600"
            return Response(status: .noContent, headers: headers)
        }
    }

    func source(_ context: BridgeRequestContext) throws -> (String, SourceConfiguration) {
        guard let name = context.parameters.get("source"), let source = sources[name] else {
            throw Problem(.notFound, detail: "no source has that name")
        }
        return (name, source)
    }

    /// CORS headers for an allowed origin of a public source; none otherwise.
    static func cors(_ source: SourceConfiguration, origin: String?) -> HTTPFields {
        guard case .public(let origins, _) = source.auth, let origin,
            OriginPolicy(origins).allows(origin: origin, referer: nil)
        else { return [:] }
        return [.accessControlAllowOrigin: origin, .vary: "Origin"]
    }

    func slots(_ request: Request, context: BridgeRequestContext) async throws -> Response {
        let (name, source) = try source(context)
        var headers = Self.cors(source, origin: request.headers[.origin])
        do {
            if case .public = source.auth {
                if let wait = limiter.admit(client: context.clientIP) {
                    throw Problem(
                        .tooManyRequests, detail: "too many slot reads; try again later",
                        headers: [.retryAfter: "\(wait)"])
                }
            } else {
                try checkAdmin(request)
            }
            var items: [String: String] = [:]
            for (key, value) in request.uri.queryParameters { items[String(key)] = String(value) }
            let query: SlotQuery
            switch SlotQuery.parse(items, source: source, now: Date()) {
            case .success(let parsed): query = parsed
            case .failure(let invalid):
                let errors = invalid.errors
                throw Problem(
                    .unprocessableContent,
                    detail: "wrong parameter\(errors.count > 1 ? "s" : ""): "
                        + errors.map(\.field).joined(separator: ", "), errors: errors)
            }
            guard let window = query.window else {
                throw Problem(
                    .unprocessableContent, detail: "wrong parameter: from",
                    errors: [.init(field: "from", message: "is not a day in that time zone")])
            }
            let snapshot: AvailabilityCache.Snapshot
            do {
                snapshot = try await reads.account(for: source).cache.snapshot(slug: source.slug, window: window)
            } catch let unavailable as AvailabilityCache.Unavailable {
                throw Problem(
                    .serviceUnavailable, detail: unavailable.message,
                    headers: [.retryAfter: "\(max(1, Int(unavailable.retryAfter.seconds.rounded(.up))))"])
            } catch let error as HubSpotError {
                context.logger.warning(
                    "could not read a link's availability", metadata: ["slug": "\(source.slug)", "error": "\(error)"])
                throw Problem(
                    .badGateway, detail: "HubSpot did not give this link's availability: \(error.message)")
            }
            let offered = snapshot.pages.flatMap(\.durations)
            let minutes = query.durationMinutes ?? offered.min().map { Int($0 / 60_000) } ?? 30
            if !offered.isEmpty, !offered.contains(Int64(minutes) * 60_000) {
                let list = Set(offered).sorted().map { "\($0 / 60_000)" }.joined(separator: ", ")
                throw Problem(
                    .unprocessableContent, detail: "wrong parameter: durationMinutes",
                    errors: [.init(field: "durationMinutes", message: "the link offers \(list) minutes")])
            }
            let slots = window.slots(
                pages: snapshot.pages, durationMillis: Int64(minutes) * 60_000, excluding: snapshot.holds)
            let answer = Answer(
                source: name, slug: source.slug, durationMinutes: minutes, timezone: query.timezone.identifier,
                slots: slots.map {
                    .init(
                        start: HubSpotTimestamp.iso8601(millis: $0.startMillisUtc),
                        end: HubSpotTimestamp.iso8601(millis: $0.endMillisUtc))
                }, stale: snapshot.stale)
            headers[.cacheControl] = "no-store"
            return try Response.json(answer, headers: headers)
        } catch var problem as Problem {
            for field in headers { problem.headers.append(field) }
            throw problem
        }
    }

    private func checkAdmin(_ request: Request) throws {
        guard let token = adminToken, !token.isEmpty, let header = request.headers[.authorization],
            header.hasPrefix("Bearer "), ConstantTime.equal(Array(header.utf8.dropFirst(7)), Array(token.utf8))
        else {
            throw Problem(
                .unauthorized, detail: "this source is not public: send Authorization: Bearer <BRIDGE_ADMIN_TOKEN>",
                headers: [.wwwAuthenticate: "Bearer"])
        }
    }
}
