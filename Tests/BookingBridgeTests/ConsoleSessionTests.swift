import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Testing

@testable import BookingBridge

/// The console's sign-in, session cookie, CSRF and origin checks and sign-in limit, against a whole running bridge
/// (real HTTP, real database).
@Suite("Console: sessions, CSRF and origin")
struct ConsoleSessionTests {
    /// A browser-like client: keeps cookies, never follows redirects, sends the bridge's own Origin on posts.
    final class Browser: Sendable {
        let base: String
        let http: HTTPClient
        private let jar = LockedValue<[String: String]>([:])
        let setCookies = LockedValue<[String]>([])

        init(base: String) {
            self.base = base
            var configuration = HTTPClient.Configuration()
            configuration.redirectConfiguration = .disallow
            http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        }

        var cookies: [String: String] {
            get { jar.withLock { $0 } }
            set { jar.withLock { $0 = newValue } }
        }

        struct Answer {
            var status: Int
            var headers: HTTPHeaders
            var text: String
        }

        func get(_ path: String) async throws -> Answer { try await send(.GET, path, form: nil) }

        func post(_ path: String, _ form: [String: String], origin: String? = "") async throws -> Answer {
            try await send(.POST, path, form: form, origin: origin == "" ? base : origin)
        }

        func send(
            _ method: HTTPMethod, _ path: String, form: [String: String]?, origin: String? = nil
        )
            async throws -> Answer
        {
            var request = HTTPClientRequest(url: base + path)
            request.method = method
            let cookie = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
            if !cookie.isEmpty { request.headers.add(name: "Cookie", value: cookie) }
            if let origin { request.headers.add(name: "Origin", value: origin) }
            if let form {
                var components = URLComponents()
                components.queryItems = form.map { URLQueryItem(name: $0.key, value: $0.value) }
                request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                let body = (components.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
                request.body = .bytes(ByteBuffer(string: body))
            }
            let response = try await http.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 8 << 20)
            for line in response.headers["Set-Cookie"] {
                setCookies.withLock { $0.append(line) }
                let pair = line.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
                let name = String(pair[0])
                let value = pair.count > 1 ? String(pair[1]) : ""
                if value.isEmpty || line.contains("Max-Age=0") {
                    cookies[name] = nil
                } else {
                    cookies[name] = value
                }
            }
            return Answer(status: Int(response.status.code), headers: response.headers, text: String(buffer: body))
        }

        /// The value of the first `name="csrf"` field of a page.
        static func csrf(_ page: String) -> String? {
            guard let range = page.range(of: #"name="csrf" value=""#) else { return nil }
            return String(page[range.upperBound...].prefix { $0 != "\"" })
        }

        func signIn(token: String) async throws -> Answer {
            let form = try await get("/console/sign-in")
            return try await post("/console/sign-in", ["csrf": Self.csrf(form.text) ?? "", "token": token])
        }

        func shutdown() async throws { try await http.shutdown() }
    }

    static func withBrowser(
        configure: @escaping @Sendable (inout BridgeConfiguration) -> Void = { _ in }, logger: Logger? = nil,
        _ body: @escaping @Sendable (TestBridge, Browser) async throws -> Void
    ) async throws {
        try await TestBridge.run(configure: configure, logger: logger) { bridge in
            let browser = Browser(base: bridge.baseURL)
            do {
                try await body(bridge, browser)
                try await browser.shutdown()
            } catch {
                try? await browser.shutdown()
                throw error
            }
        }
    }

    @Test("sign-in sets a signed HttpOnly SameSite=Strict cookie for sessionTTL; pages carry the security headers")
    func signInAndOut() async throws {
        let lines = LogHandlerTests.Lines()
        var logger = Logger(label: "bridge") { TextLogHandler(label: $0, output: lines) }
        logger.logLevel = .trace
        try await Self.withBrowser(configure: { $0.console.sessionTTL = .seconds(3600) }, logger: logger) {
            bridge, browser in
            #expect(try await browser.get("/console").status == 303)
            let wrong = try await browser.signIn(token: "not-the-token")
            #expect(wrong.status == 401)
            #expect(browser.cookies["bb_console"] == nil)
            let signedIn = try await browser.signIn(token: bridge.adminToken)
            #expect(signedIn.status == 303)
            #expect(signedIn.headers["Location"].first == "/console")
            let cookie = try #require(browser.setCookies.withLock { $0 }.first { $0.hasPrefix("bb_console=") })
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Strict"))
            #expect(cookie.contains("Max-Age=3600"))
            // Plain HTTP on loopback: Secure would keep the browser from sending it back.
            #expect(!cookie.contains("Secure"))
            let overview = try await browser.get("/console")
            #expect(overview.status == 200)
            #expect(overview.text.contains("Funnel"))
            let csp = overview.headers["Content-Security-Policy"].first ?? ""
            #expect(csp.contains("script-src 'self'"))
            #expect(csp.contains("frame-ancestors 'none'"))
            #expect(!csp.contains("unsafe-inline"))
            #expect(overview.headers["X-Content-Type-Options"].first == "nosniff")
            #expect(overview.headers["Referrer-Policy"].first == "no-referrer")
            for path in [
                "/console/intents", "/console/review", "/console/retry", "/console/subscriptions",
                "/console/assets/console.js", "/console/assets/console.css",
            ] {
                let page = try await browser.get(path)
                #expect(page.status == 200, "\(path)")
                #expect(!page.text.contains(bridge.adminToken), "\(path) shows the token")
            }
            // A cookie whose signature does not hold is no session.
            let saved = browser.cookies["bb_console"]!
            browser.cookies["bb_console"] = String(saved.dropLast()) + (saved.last == "A" ? "B" : "A")
            #expect(try await browser.get("/console").status == 303)
            browser.cookies["bb_console"] = saved
            // Sign-out ends the session on the server: the same cookie no longer opens a page.
            let page = try await browser.get("/console")
            let out = try await browser.post("/console/sign-out", ["csrf": Browser.csrf(page.text) ?? ""])
            #expect(out.status == 303)
            browser.cookies["bb_console"] = saved
            #expect(try await browser.get("/console").status == 303)
            #expect(try await bridge.count("SELECT count(*) FROM console_sessions") == 0)
        }
        #expect(lines.value.contains("console sign-in"))
        #expect(!lines.value.contains("test-admin-token"), "the admin token appears in the log")
    }

    @Test("a post without the CSRF token or from another origin is refused with 403 and changes nothing")
    func csrfAndOrigin() async throws {
        try await Self.withBrowser { bridge, browser in
            let failed = try await BulkRetryAPITests.intent(bridge.database, status: "failed", category: "X")
            #expect(try await browser.signIn(token: bridge.adminToken).status == 303)
            let page = try await browser.get("/console/intents/\(failed)")
            #expect(page.status == 200)
            let csrf = try #require(Browser.csrf(page.text))
            let path = "/console/intents/\(failed)/retry"
            #expect(try await browser.post(path, [:]).status == 403)
            #expect(try await browser.post(path, ["csrf": "forged"]).status == 403)
            #expect(try await browser.post(path, ["csrf": csrf], origin: "https://evil.example").status == 403)
            #expect(try await browser.post(path, ["csrf": csrf], origin: nil).status == 403)
            #expect(try await BulkRetryAPITests.status(bridge.database, failed) == "failed/3")
            // A session's token does not work for another session.
            let other = Browser(base: bridge.baseURL)
            #expect(try await other.signIn(token: bridge.adminToken).status == 303)
            #expect(try await other.post(path, ["csrf": csrf]).status == 403)
            try await other.shutdown()
            #expect(try await BulkRetryAPITests.status(bridge.database, failed) == "failed/3")
            // With both, the action is the admin API's retry.
            let done = try await browser.post(path, ["csrf": csrf])
            #expect(done.status == 303)
            // (The pipeline may have booked it again already.)
            let after = try await BulkRetryAPITests.status(bridge.database, failed)
            #expect(after != "failed/3")
            // The API's refusal shows with its status: a booked intent cannot be retried.
            let booked = try await BulkRetryAPITests.intent(bridge.database, status: "booked")
            let refused = try await browser.post("/console/intents/\(booked)/retry", ["csrf": csrf])
            #expect(refused.status == 409)
            #expect(refused.text.contains("only failed, offline or needs_review intents can be retried"))
        }
    }

    @Test("the 11th sign-in try within a minute gets 429, even with the right token")
    func signInLimit() async throws {
        try await Self.withBrowser { bridge, browser in
            for _ in 0..<10 { #expect(try await browser.signIn(token: "wrong").status == 401) }
            let limited = try await browser.signIn(token: bridge.adminToken)
            #expect(limited.status == 429)
            #expect(limited.headers["Retry-After"].first != nil)
            #expect(browser.cookies["bb_console"] == nil)
        }
    }

    @Test("without an admin token there is no console")
    func offWithoutToken() async throws {
        try await Self.withBrowser(configure: { $0.adminToken = nil }) { _, browser in
            let overview = try await browser.get("/console")
            let signIn = try await browser.get("/console/sign-in")
            #expect(overview.status == 404)
            #expect(signIn.status == 404)
        }
    }

    @Test("Secure unless plain loopback HTTP; origins; escaping; sessionTTL from the file")
    func decisions() throws {
        #expect(!ConsolePolicy.secureCookies(host: "127.0.0.1", publicURL: nil))
        #expect(!ConsolePolicy.secureCookies(host: "::1", publicURL: "http://127.0.0.1:8080"))
        #expect(ConsolePolicy.secureCookies(host: "127.0.0.1", publicURL: "https://bridge.example.com"))
        #expect(ConsolePolicy.secureCookies(host: "0.0.0.0", publicURL: nil))
        #expect(ConsolePolicy.originAllowed(origin: "http://127.0.0.1:8080", host: "127.0.0.1:8080", publicURL: nil))
        #expect(!ConsolePolicy.originAllowed(origin: "http://127.0.0.1:8081", host: "127.0.0.1:8080", publicURL: nil))
        #expect(!ConsolePolicy.originAllowed(origin: "null", host: "127.0.0.1:8080", publicURL: nil))
        #expect(!ConsolePolicy.originAllowed(origin: nil, host: "127.0.0.1:8080", publicURL: nil))
        // A browser's form post under no-referrer: Origin null, and fetch metadata that says where it came from.
        #expect(
            ConsolePolicy.originAllowed(
                origin: "null", fetchSite: "same-origin", host: "127.0.0.1:8080", publicURL: nil))
        #expect(
            !ConsolePolicy.originAllowed(
                origin: "null", fetchSite: "cross-site", host: "127.0.0.1:8080", publicURL: nil))
        #expect(
            !ConsolePolicy.originAllowed(
                origin: "https://evil.example", fetchSite: "same-origin", host: "127.0.0.1:8080", publicURL: nil))
        #expect(
            ConsolePolicy.originAllowed(
                origin: "https://bridge.example.com", host: "10.0.0.5:8080", publicURL: "https://bridge.example.com/"))
        let name = "<img src=x onerror=alert(1)>"
        let html: HTML = "<td>\(name)</td><td title=\"\("\"'&")\">"
        #expect(html.description == "<td>&lt;img src=x onerror=alert(1)&gt;</td><td title=\"&quot;&#39;&amp;\">")
        let keys = ConsoleKeys(adminToken: "t")
        let id = ConsoleKeys.newSessionID()
        #expect(keys.sessionID(cookie: keys.cookieValue(sessionID: id)) == id)
        #expect(ConsoleKeys(adminToken: "u").sessionID(cookie: keys.cookieValue(sessionID: id)) == nil)
        #expect(keys.isAdminToken("t") && !keys.isAdminToken("t ") && !keys.isAdminToken(""))
        let file = Data(#"{"console": {"sessionTTL": "30m"}}"#.utf8)
        #expect(try BridgeConfiguration.load(environment: [:], file: file).console.sessionTTL == .seconds(1800))
        #expect(try BridgeConfiguration.load(environment: [:], file: nil).console.sessionTTL == .seconds(43200))
        #expect(throws: ConfigurationError.self) {
            try BridgeConfiguration.load(environment: [:], file: Data(#"{"console": {"sessionTTL": "1s"}}"#.utf8))
        }
    }
}
