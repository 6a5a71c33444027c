import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The operator console: `GET /console` and the pages under it, sign-in and sign-out, and the forms whose actions
/// are admin API calls (`AdminCall`). Mounted by the composition root only when an admin token is configured.
///
/// Every page needs a session (a signed cookie naming a row of `console_sessions`); every post must come from the
/// console's own origin and carry the session's CSRF token, or it is refused with 403 before anything happens.
public struct ConsoleController: Sendable {
    static let sessionCookie = "bb_console"
    static let signInCookie = "bb_console_signin"
    static let maxFormBytes = 64 * 1024
    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!

    let keys: ConsoleKeys
    let sessions: ConsoleSessionStore
    let queries: ConsoleQueries
    let intents: IntentStore
    let subscriptions: SubscriptionStore
    let deliveries: DeliveryStore
    let admin: AdminCall
    let settings: ConsoleSettings
    let secureCookies: Bool
    let publicURL: String?
    let hubspot: HubSpotSettings
    let limiter: IntakeRateLimiter

    /// - Parameter admin: answers admin API requests (the `/v1` routes behind `AdminAuthMiddleware`).
    public init(
        configuration: BridgeConfiguration, adminToken: String, database: Database,
        admin: any HTTPResponder<BridgeRequestContext>
    ) {
        keys = ConsoleKeys(adminToken: adminToken)
        sessions = ConsoleSessionStore(database: database)
        queries = ConsoleQueries(database: database)
        intents = IntentStore(database: database)
        subscriptions = SubscriptionStore(database: database)
        deliveries = DeliveryStore(database: database)
        self.admin = AdminCall(responder: admin, token: adminToken)
        settings = configuration.console
        secureCookies = ConsolePolicy.secureCookies(host: configuration.host, publicURL: configuration.publicURL)
        publicURL = configuration.publicURL
        hubspot = configuration.hubspot
        limiter = IntakeRateLimiter(clientPerMinute: configuration.console.signInAttemptsPerMinute)
    }

    /// A signed-in operator's session.
    struct Session {
        var id: String
        var csrf: String
    }

    public func addRoutes(to router: Router<BridgeRequestContext>) {
        let console = router.group("console").add(middleware: ConsoleHeadersMiddleware())
        console.get("assets/console.css") { _, _ in Self.asset(ConsoleAssets.css, type: "text/css; charset=utf-8") }
        console.get("assets/console.js") { _, _ in
            Self.asset(ConsoleAssets.js, type: "text/javascript; charset=utf-8")
        }
        console.get("sign-in") { request, _ in try await self.signInPage(request) }
        console.post("sign-in") { request, context in try await self.signIn(request, context: context) }
        console.post("sign-out") { request, context in
            try await self.action(request, context) { session, _ in
                try await self.sessions.end(digest: ConsoleKeys.digest(sessionID: session.id))
                context.logger.notice("console sign-out")
                var response = Self.redirect("/console/sign-in")
                response.setCookie(self.cookie(Self.sessionCookie, "", maxAge: 0))
                return response
            }
        }
        addPages(to: console)
        addActions(to: console)
    }

    // MARK: Sign-in

    private func signInPage(
        _ request: Request, message: String? = nil, status: HTTPResponse.Status = .ok
    )
        async throws -> Response
    {
        let nonce = ConsoleKeys.newSessionID()
        let body: HTML = """
            <main class="signin"><section class="card">
            <h1>BookingBridge console</h1>
            \(message.map { m -> HTML in "<p class=\"error\">\(m)</p>" } ?? "")
            <form class="stack" method="post" action="/console/sign-in">
            <input type="hidden" name="csrf" value="\(keys.signInToken(nonce: nonce))">
            <label>Admin token<input type="password" name="token" autocomplete="current-password" required autofocus></label>
            <button type="submit">Sign in</button>
            </form>
            <p class="muted">The token is the bridge's BRIDGE_ADMIN_TOKEN. A session lasts \(DurationText.format(settings.sessionTTL)).</p>
            </section></main>
            """
        var response = Self.html(ConsolePages.document(title: "Sign in", body: body), status: status)
        response.setCookie(cookie(Self.signInCookie, nonce, maxAge: 600))
        return response
    }

    private func signIn(_ request: Request, context: BridgeRequestContext) async throws -> Response {
        if let wait = limiter.admit(client: context.clientIP) {
            context.logger.warning(
                "console sign-in limit reached", metadata: ["client_ip": "\(context.clientIP ?? "")"])
            var response = try await signInPage(
                request, message: "Too many sign-in attempts. Wait a minute and try again.", status: .tooManyRequests)
            response.headers[.retryAfter] = String(wait)
            return response
        }
        guard originAllowed(request) else { return Self.forbidden("This form was not sent from the console.") }
        let form = try await Self.form(request)
        guard let nonce = request.cookies[Self.signInCookie]?.value, !nonce.isEmpty,
            let offered = form["csrf"],
            ConstantTime.equal(Array(offered.utf8), Array(keys.signInToken(nonce: nonce).utf8))
        else { return Self.forbidden("The sign-in form expired. Load it again.") }
        guard keys.isAdminToken(form["token"] ?? "") else {
            context.logger.notice("console sign-in refused", metadata: ["client_ip": "\(context.clientIP ?? "")"])
            return try await signInPage(request, message: "That token is not right.", status: .unauthorized)
        }
        let id = ConsoleKeys.newSessionID()
        try await sessions.create(digest: ConsoleKeys.digest(sessionID: id), ttl: settings.sessionTTL)
        context.logger.notice("console sign-in", metadata: ["client_ip": "\(context.clientIP ?? "")"])
        var response = Self.redirect("/console")
        response.setCookie(
            cookie(Self.sessionCookie, keys.cookieValue(sessionID: id), maxAge: Int(settings.sessionTTL.seconds)))
        response.setCookie(cookie(Self.signInCookie, "", maxAge: 0))
        return response
    }

    // MARK: Sessions and checks

    /// The request's session, when its cookie is signed and the session is live.
    func session(_ request: Request) async throws -> Session? {
        guard let value = request.cookies[Self.sessionCookie]?.value, let id = keys.sessionID(cookie: value),
            try await sessions.isActive(digest: ConsoleKeys.digest(sessionID: id))
        else { return nil }
        return Session(id: id, csrf: keys.csrfToken(sessionID: id))
    }

    func originAllowed(_ request: Request) -> Bool {
        ConsolePolicy.originAllowed(
            origin: request.headers[.origin], fetchSite: request.headers[Self.secFetchSite],
            host: request.head.authority,
            publicURL: publicURL)
    }

    /// Runs a page for a signed-in operator; sends anyone else to the sign-in form.
    func page(
        _ request: Request, _ body: (Session) async throws -> Response
    ) async throws -> Response {
        guard let session = try await session(request) else { return Self.redirect("/console/sign-in") }
        return try await body(session)
    }

    /// Runs a state-changing form for a signed-in operator, after the origin, session and CSRF checks (403 when
    /// one fails, with nothing done).
    func action(
        _ request: Request, _ context: BridgeRequestContext,
        _ body: (Session, [String: String]) async throws -> Response
    ) async throws -> Response {
        guard originAllowed(request) else {
            context.logger.warning("console post from another origin refused")
            return Self.forbidden("This form was not sent from the console.")
        }
        guard let session = try await session(request) else {
            return Self.forbidden("Your session has ended. Sign in again.")
        }
        let form = try await Self.form(request)
        guard keys.isCSRFToken(form["csrf"], sessionID: session.id) else {
            context.logger.warning("console post without a valid CSRF token refused")
            return Self.forbidden("This form is missing its security token. Reload the page and try again.")
        }
        return try await body(session, form)
    }

    // MARK: Responses

    func cookie(_ name: String, _ value: String, maxAge: Int) -> Cookie {
        Cookie(
            name: name, value: value, maxAge: maxAge, path: "/console", secure: secureCookies, httpOnly: true,
            sameSite: .strict)
    }

    static func form(_ request: Request) async throws -> [String: String] {
        let body = try await request.body.collect(upTo: maxFormBytes)
        do {
            return try URLEncodedForm.decode(Array(body.readableBytesView))
        } catch {
            throw Problem(.badRequest, detail: "the form could not be read")
        }
    }

    static func html(_ page: HTML, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: page.description)))
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    static func forbidden(_ message: String) -> Response {
        html(
            ConsolePages.document(
                title: "Refused",
                body: """
                    <main class="signin"><section class="card"><h1>Refused</h1><p class="error">\(message)</p>
                    <p><a href="/console">Back to the console</a></p></section></main>
                    """), status: .forbidden)
    }
}
