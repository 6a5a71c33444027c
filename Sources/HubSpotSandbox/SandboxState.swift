import Foundation

/// All mutable state of one sandbox: bookings, contacts, rate-limit counters, traffic stats, OAuth tokens, faults.
///
/// Every request's decision is taken in one actor call, so concurrent bookings of one slot cannot both succeed.
actor SandboxState {
    let configuration: SandboxConfiguration
    let links: [SandboxLink]
    private(set) var faults: SandboxFaults
    private(set) var bookings: [SandboxBooking] = []
    /// Contacts and meetings HubSpot's CRM keeps for the bookings.
    private(set) var crm = SandboxCRM()
    private var limiter: SandboxRateLimiter
    private var traffic = SandboxTraffic()
    private var oauth: SandboxOAuthTokens

    init(configuration: SandboxConfiguration, links: [SandboxLink] = SandboxLink.seeded) {
        self.configuration = configuration
        self.links = links
        self.faults = configuration.faults
        self.limiter = SandboxRateLimiter(configuration)
        self.oauth = SandboxOAuthTokens(
            clientID: configuration.oauthClientID,
            clientSecret: configuration.oauthClientSecret,
            refreshToken: configuration.oauthRefreshToken,
            lifetimeSeconds: configuration.oauthAccessTokenLifetimeSeconds
        )
    }

    static func now() -> Int64 { SandboxSchedule.millis(Date()) }

    /// Who is calling, by bearer token.
    enum Caller: Sendable, Equatable {
        case fullScope
        case readOnly
        /// Books and reads the scheduler, but lacks the CRM read scope.
        case noCRM
        case oauth

        /// Whether the caller holds `crm.objects.contacts.read` (the CRM reads' scope).
        var canReadCRM: Bool { self == .fullScope || self == .oauth }
        /// Whether the caller holds a write scope `/book` accepts.
        var canBook: Bool { self != .readOnly }
    }

    /// The outcome of admitting one HubSpot API request, and the rate-limit headers for its answer.
    struct Admission: Sendable {
        var caller: Result<Caller, SandboxAPIError>
        var headers: [(String, String)]
    }

    /// Counts the request (by kind when `route` is given), checks its bearer token and rate limits, and injects a
    /// failure when the faults say so.
    func admit(authorization: String?, now: Int64, route: SandboxRoute? = nil) -> Admission {
        self.traffic.record(route, now: now)
        let caller: Caller
        switch self.authenticate(authorization, now: now) {
        case .success(let known): caller = known
        case .failure(let error): return Admission(caller: .failure(error), headers: [])
        }
        // Each static token is its own private app; every OAuth token belongs to the one public app.
        let app =
            switch caller {
            case .fullScope: "token:" + self.configuration.token
            case .readOnly: "token:" + self.configuration.readOnlyToken
            case .noCRM: "token:" + self.configuration.noCRMToken
            case .oauth: "oauth-app"
            }
        let decision = self.limiter.admit(app: app, hasDailyLimit: caller != .oauth, now: now)
        if let policy = decision.limitedBy {
            self.traffic.recordRateLimited()
            var error = SandboxAPIError.rateLimited(daily: policy == .daily)
            error.headers = decision.headers
            return Admission(caller: .failure(error), headers: decision.headers)
        }
        if self.faults.failRate > 0, Double.random(in: 0..<1) < self.faults.failRate {
            self.traffic.recordFaulted()
            return Admission(caller: .failure(self.injectedFailure()), headers: decision.headers)
        }
        return Admission(caller: .success(caller), headers: decision.headers)
    }

    private func authenticate(_ authorization: String?, now: Int64) -> Result<Caller, SandboxAPIError> {
        guard let authorization, authorization.lowercased().hasPrefix("bearer ") else {
            return .failure(
                .unauthorized(
                    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
                )
            )
        }
        let token = authorization.dropFirst("bearer ".count).trimmingWhitespace()
        if token == self.configuration.token { return .success(.fullScope) }
        if token == self.configuration.readOnlyToken { return .success(.readOnly) }
        if token == self.configuration.noCRMToken { return .success(.noCRM) }
        switch self.oauth.check(token, now: now, lifetimeOverride: self.faults.tokenLifetimeSeconds) {
        case .valid:
            return .success(.oauth)
        case .expired(let expiredAt):
            return .failure(.expired(expiredAtMillis: expiredAt, now: now))
        case .unknown:
            return .failure(
                .unauthorized("Authentication credentials not found. The access token or private app token is invalid.")
            )
        }
    }

    /// Whether a failure should be injected into an OAuth token call (which has no bearer token or rate limit).
    func injectedTokenFailure() -> SandboxAPIError? {
        guard self.faults.failRate > 0, Double.random(in: 0..<1) < self.faults.failRate else { return nil }
        self.traffic.recordFaulted()
        return self.injectedFailure()
    }

    /// The failure `failStatus`, `failBody` and `retryAfterSeconds` describe.
    private func injectedFailure() -> SandboxAPIError {
        .injected(
            status: self.faults.failStatus, html: self.faults.failBody == .html,
            retryAfterSeconds: self.faults.retryAfterSeconds)
    }

    /// Handles `POST /oauth/2026-03/token`.
    func refreshToken(form: [String: String], now: Int64) -> Result<SandboxOAuthTokens.Issued, SandboxAPIError> {
        self.oauth.refresh(form: form, now: now, lifetimeOverride: self.faults.tokenLifetimeSeconds)
    }

    func link(slug: String) -> SandboxLink? {
        self.links.first { $0.slug == slug }
    }

    /// A successful booking: the answer, and whether to drop the connection or answer an error instead of it.
    struct Booked: Sendable {
        var booking: SandboxBooking
        var response: SandboxWire.BookResponse
        var drop: Bool
        /// The error answered instead of the 200 (``SandboxFaults/afterBookStatus``); the booking stands.
        var answerInstead: SandboxAPIError?
    }

    /// Validates and records a booking, all in one step.
    func book(_ request: SandboxBookRequest, now: Int64) -> Result<Booked, SandboxAPIError> {
        guard let link = self.link(slug: request.slug) else { return .failure(.slugNotFound(request.slug)) }
        let decision: SandboxBookingRules.Decision
        switch SandboxBookingRules(link: link, now: now).decide(request, bookings: self.bookings) {
        case .success(let decided): decision = decided
        case .failure(let error): return .failure(error)
        }
        let contactId = self.crm.upsertContact(
            email: request.email, firstName: request.firstName, lastName: request.lastName, now: now)
        var formValues: [String: String] = [:]
        for field in request.formFields { formValues[field.name] = field.value }
        var consents: [String: Bool] = [:]
        for answer in request.legalConsentResponses { consents[answer.communicationTypeId.value] = answer.consented }
        let noCalendarEvent =
            decision.assignee.isOffline
            || (self.faults.emptyCalendarEventRate > 0
                && Double.random(in: 0..<1) < self.faults.emptyCalendarEventRate)
        let booking = SandboxBooking(
            id: String(self.bookings.count + 1),
            linkId: link.id,
            slug: link.slug,
            startMillis: decision.startMillis,
            durationMillis: request.duration,
            email: request.email,
            firstName: request.firstName,
            lastName: request.lastName,
            assignedUserId: decision.assignee.userId,
            isOffline: decision.assignee.isOffline,
            calendarEventId: noCalendarEvent ? "" : SandboxIDs.hex(count: 16),
            contactId: contactId,
            formFields: formValues,
            legalConsentResponses: consents,
            guestEmails: request.guestEmails ?? [],
            bookedAtMillis: now
        )
        let response = SandboxWire.bookResponse(booking: booking, request: request, link: link)
        self.crm.logMeeting(
            contactId: contactId, startMillis: booking.startMillis, endMillis: booking.endMillis,
            title: response.subject, calendarEventId: booking.calendarEventId, now: now)
        self.bookings.append(booking)
        let drop = self.faults.dropAfterBookRate > 0 && Double.random(in: 0..<1) < self.faults.dropAfterBookRate
        if drop { self.traffic.recordDropped() }
        var answerInstead: SandboxAPIError?
        if !drop, let status = self.faults.afterBookStatus,
            self.faults.afterBookRate >= 1 || Double.random(in: 0..<1) < self.faults.afterBookRate
        {
            self.traffic.recordFaulted()
            answerInstead = .injected(status: status, html: self.faults.failBody == .html)
        }
        return .success(Booked(booking: booking, response: response, drop: drop, answerInstead: answerInstead))
    }

    func setFaults(_ faults: SandboxFaults) {
        self.faults = faults
    }

    func stats() -> SandboxRequestStats {
        self.traffic.stats
    }

    /// Clears bookings, contacts and meetings, rate-limit counters, traffic stats and faults (back to no faults). OAuth tokens
    /// are kept, so a client holding a rotated refresh token keeps working.
    func reset() {
        self.bookings = []
        self.crm = SandboxCRM()
        self.limiter = SandboxRateLimiter(self.configuration)
        self.traffic = SandboxTraffic()
        self.faults = SandboxFaults()
    }
}
