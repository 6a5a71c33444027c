import Foundation
import Hummingbird
import Logging
import NIOCore

extension SandboxResponder {
    /// HubSpot's paths: on arrival (for bearer calls) counting, token, rate limits and injected failures; then the
    /// added latency; then the call itself. Rate-limit headers go on every answer to a known token.
    func hubSpotAPI(_ route: SandboxRoute, request: Request, context: Context) async throws -> Response {
        if route == .oauthToken {
            try await self.sleepLatency()
            return try await self.token(request: request)
        }
        let admission = await self.state.admit(
            authorization: request.headers[.authorization],
            now: SandboxState.now(), route: route
        )
        try await self.sleepLatency()
        let headers = admission.headers
        let caller: SandboxState.Caller
        switch admission.caller {
        case .success(let known): caller = known
        case .failure(var error):
            error.headers = Self.merged(error.headers, headers)
            throw error
        }
        do {
            guard route.methods.contains(request.method.rawValue) else { throw SandboxAPIError.methodNotAllowed }
            switch route {
            case .book:
                guard caller.canBook else { throw SandboxAPIError.missingScopes }
                return try await self.book(request: request, context: context, headers: headers)
            case .bookingInfo(let slug):
                let zone = try Self.zone(request)
                let info = try await self.state.bookingInfo(slug: slug, zone: zone, now: SandboxState.now()).get()
                return Self.json(info, headers: headers)
            case .availabilityPage(let slug):
                let zone = try Self.zone(request)
                let monthOffset = try Self.monthOffset(request)
                let page = try await self.state.availabilityPage(
                    slug: slug, zone: zone, monthOffset: monthOffset, now: SandboxState.now()
                ).get()
                return Self.json(page, headers: headers)
            case .listLinks:
                var query: [String: String] = [:]
                for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
                return Self.json(try await self.state.listLinks(query: query).get(), headers: headers)
            case .crmContact(let id):
                guard caller.canReadCRM else { throw SandboxAPIError.missingCRMReadScope }
                // A repeated key (`associations=a&associations=b`) is joined, as HubSpot reads both forms.
                var query: [String: String] = [:]
                for (key, value) in request.uri.queryParameters {
                    let key = String(key)
                    query[key] = query[key].map { $0 + "," + String(value) } ?? String(value)
                }
                return Self.json(try await self.state.crmContact(id: id, query: query).get(), headers: headers)
            case .crmMeetingSearch:
                guard caller.canReadCRM else { throw SandboxAPIError.missingCRMReadScope }
                let search = try SandboxMeetingSearch.decode(try await Self.body(of: request)).get()
                return Self.json(await self.state.crmMeetingSearch(search), headers: headers)
            default:
                throw SandboxAPIError.routeNotFound(request.uri.path)
            }
        } catch var error as SandboxAPIError {
            error.headers = headers
            throw error
        }
    }

    private func book(request: Request, context: Context, headers: [(String, String)]) async throws -> Response {
        let body = try await Self.body(of: request)
        let bookRequest = try SandboxBookRequest.decode(body).get()
        let booked = try await self.state.book(bookRequest, now: SandboxState.now()).get()
        self.logger.info(
            "Sandbox booked",
            metadata: [
                "slug": "\(booked.booking.slug)", "start": "\(booked.booking.startMillis)",
                "assignee": "\(booked.booking.assignedUserId)", "isOffline": "\(booked.booking.isOffline)",
                "dropped": "\(booked.drop)", "answered": "\(booked.answerInstead?.status ?? 200)",
            ]
        )
        if booked.drop {
            // The booking stands; the caller must see the connection end without any answer.
            try? await context.channel.close().get()
        }
        if var instead = booked.answerInstead {
            instead.headers = headers
            throw instead
        }
        return Self.json(booked.response, headers: headers)
    }

    /// `POST /oauth/2026-03/token`: form-encoded refresh grant; no bearer token, no rate-limit headers.
    private func token(request: Request) async throws -> Response {
        guard request.method == .post else { throw SandboxAPIError.methodNotAllowed }
        if let failure = await self.state.injectedTokenFailure() { throw failure }
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/x-www-form-urlencoded") else {
            throw SandboxAPIError.oauth(
                "invalid_request",
                status: "BAD_REQUEST",
                description: "the body must be application/x-www-form-urlencoded"
            )
        }
        let body = String(decoding: try await Self.body(of: request), as: UTF8.self)
        let issued = try await self.state.refreshToken(form: SandboxForm.parse(body), now: SandboxState.now()).get()
        return Self.json(issued)
    }

    /// `own` headers of an error (e.g. `Retry-After`), then those of `common` it does not already have.
    static func merged(_ own: [(String, String)], _ common: [(String, String)]) -> [(String, String)] {
        own + common.filter { header in !own.contains { $0.0.lowercased() == header.0.lowercased() } }
    }

    private func sleepLatency() async throws {
        let latency = await self.state.faults.latencyMs
        if latency > 0 { try await Task.sleep(for: .milliseconds(latency)) }
    }

    /// Months the availability page can be moved back or forward. HubSpot's spec gives no range (an int32 that
    /// may look at past or future months) and its answer out of range is not known: a 400 that names the range.
    static let monthOffsets = -12...24

    /// The optional `monthOffset` query parameter (0 when absent).
    private static func monthOffset(_ request: Request) throws -> Int {
        guard let text = request.uri.queryParameters["monthOffset"].map(String.init) else { return 0 }
        guard let value = Int(text) else {
            throw SandboxAPIError.validation("monthOffset must be an integer, not \(text)")
        }
        guard Self.monthOffsets.contains(value) else {
            throw SandboxAPIError.validation(
                "monthOffset \(value) is out of range: it must be from \(Self.monthOffsets.lowerBound) to "
                    + "\(Self.monthOffsets.upperBound) (months from the current one)")
        }
        return value
    }

    /// The required `timezone` query parameter.
    private static func zone(_ request: Request) throws -> TimeZone {
        guard let name = request.uri.queryParameters["timezone"], !name.isEmpty else {
            throw SandboxAPIError.validation("timezone is required (an IANA time zone such as Europe/London)")
        }
        guard let zone = TimeZone(identifier: String(name)) else {
            throw SandboxAPIError.validation("timezone \(name) is not a valid IANA time zone")
        }
        return zone
    }
}
