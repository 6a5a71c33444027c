import AsyncHTTPClient
import Foundation
import HTTPTypes
import HubSpotSandbox
import NIOCore
import NIOHTTP1
import Testing

@testable import BookingBridge

/// The hosted booking page: what it serves, how it is protected, and the path that works without JavaScript.
@Suite("Booking page", .serialized)
struct BookingPageTests {
    static func configure(_ c: inout BridgeConfiguration) {
        c.sources["web"]?.page = BookingPageSettings(
            enabled: true, title: "Intro <script>alert(1)</script>", intro: "Tom & Jerry's \"intro\"",
            accentColor: "#c03")
        c.sources["site"] = SourceConfiguration(
            auth: .public(allowedOrigins: ["https://shop.example"], honeypotField: "website"),
            slug: SandboxSeeds.personalLinkSlug, durationMinutes: 30, timezone: "Europe/Berlin", locale: "de-DE",
            formFields: ["company": "firma"], consent: ["news": SandboxSeeds.optionalConsentTypeId],
            page: BookingPageSettings(enabled: true))
    }

    static func text(_ answer: TestBridge.Answer) -> String { String(decoding: answer.body, as: UTF8.self) }

    @Test("the page: escaped values, lang from the locale, strict CSP, framing by allowed origins, honeypot, fields")
    func page() async throws {
        try await TestBridge.run(configure: Self.configure) { bridge in
            let answer = try await bridge.request(.GET, "/book/web")
            #expect(answer.status == 200)
            let html = Self.text(answer)
            #expect(html.contains("<html lang=\"en\">"))
            #expect(html.contains("Intro &lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!html.contains("<script>alert"))
            #expect(html.contains("Tom &amp; Jerry&#39;s &quot;intro&quot;"))
            #expect(html.contains("name=\"website\""), "the honeypot field is on the page")
            #expect(html.contains("type=\"radio\""), "open starts for the page without JavaScript")
            let csp = try #require(answer.headers.first(name: "content-security-policy"))
            #expect(!csp.contains("unsafe-inline"))
            #expect(csp.contains("script-src 'self'"))
            #expect(csp.contains("frame-ancestors *"))
            // No inline script or style: every <script> has a src or is JSON data.
            for tag in html.components(separatedBy: "<script").dropFirst() {
                #expect(tag.hasPrefix(" src=") || tag.hasPrefix(" type=\"application/json\""))
            }
            #expect(!html.contains("style=\""))

            let german = try await bridge.request(.GET, "/book/site")
            let page = Self.text(german)
            #expect(page.contains("<html lang=\"de\">"))
            #expect(page.contains("Termin buchen"))
            #expect(page.contains("name=\"firma\""), "the link's own form field, under the source's name for it")
            #expect(page.contains("name=\"news\""), "the link's consent checkbox")
            #expect(page.contains("Send me product news"))
            let siteCSP = try #require(german.headers.first(name: "content-security-policy"))
            #expect(siteCSP.contains("frame-ancestors 'self' https://shop.example"))

            let css = try await bridge.request(.GET, "/book/web/page.css")
            #expect(Self.text(css).hasPrefix(":root{--bb-accent:#c03}"))
            let js = try await bridge.request(.GET, "/book/web/page.js")
            let embed = try await bridge.request(.GET, "/book/web/embed.js")
            #expect(js.status == 200 && embed.status == 200)
            #expect(Self.text(embed).contains("data-bookingbridge"))
            let total = answer.body.count + css.body.count + js.body.count + embed.body.count
            #expect(total < 50 * 1024, "page and assets are \(total) bytes")
        }
    }

    @Test("no page unless enabled and public: 404")
    func disabled() async throws {
        try await TestBridge.run { bridge in
            for path in ["/book/web", "/book/rr", "/book/nope/embed.js"] {
                let answer = try await bridge.request(.GET, path)
                #expect(answer.status == 404, "\(path)")
            }
        }
    }

    @Test("without JavaScript: the form post gets 303 to the result page, which shows the booked meeting and its .ics")
    func noJavaScriptPath() async throws {
        try await TestBridge.run(configure: Self.configure) { bridge in
            let html = Self.text(try await bridge.request(.GET, "/book/web"))
            // The first open start the page offers, as the browser would post it.
            let marker = "name=\"startTime\" value=\""
            let start = try #require(
                html.range(of: marker).map { range in
                    String(html[range.upperBound...].prefix { $0 != "\"" })
                })
            let form = [
                ("startTime", start), ("timezone", "Europe/London"), ("firstName", "Grace"), ("lastName", "Hopper"),
                ("email", "grace@hopper.dev"), ("website", ""),
            ].map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }.joined(
                separator: "&")
            // A client that does not follow the redirect, to see the 303 itself.
            var configuration = HTTPClient.Configuration()
            configuration.redirectConfiguration = .disallow
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            defer { _ = client.shutdown() }
            var post = HTTPClientRequest(url: bridge.baseURL + "/v1/intake/web")
            post.method = .POST
            post.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            post.headers.add(name: "Accept", value: "text/html")
            post.body = .bytes(ByteBuffer(string: form))
            let posted = try await client.execute(post, timeout: .seconds(10))
            #expect(posted.status.code == 303)
            let location = try #require(posted.headers.first(name: "location"))
            #expect(location.hasPrefix("/book/web/done/"))
            let receipt = String(location.dropFirst("/book/web/done/".count))
            var page = ""
            for _ in 0..<100 {
                page = Self.text(try await bridge.request(.GET, location))
                if !page.contains("http-equiv=\"refresh\"") { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(page.contains("Your meeting is booked."), "\(page)")
            #expect(page.contains("/book/web/ics/\(receipt)"))
            let ics = try await bridge.request(.GET, "/book/web/ics/\(receipt)")
            #expect(ics.status == 200)
            #expect(ics.headers.first(name: "content-type")?.hasPrefix("text/calendar") == true)
            let millis = try #require(HubSpotTimestamp.millis(iso8601: start))
            let c = SlotWindow.utc.dateComponents(
                [.year, .month, .day, .hour, .minute], from: HubSpotTimestamp.date(millis))
            let stamp = String(
                format: "DTSTART:%04d%02d%02dT%02d%02d00Z", c.year!, c.month!, c.day!, c.hour!, c.minute!)
            #expect(Self.text(ics).contains(stamp))
            #expect(await bridge.sandbox.bookings().count == 1)
        }
    }

    static func configureFormLinks(_ c: inout BridgeConfiguration) {
        c.sources["onboard"] = SourceConfiguration(
            auth: .public(allowedOrigins: ["https://shop.example"], honeypotField: nil),
            slug: SandboxSeeds.formLinkSlug, durationMinutes: 45, timezone: "Europe/Berlin",
            page: BookingPageSettings(enabled: true))
        c.sources["team"] = SourceConfiguration(
            auth: .public(allowedOrigins: [], honeypotField: nil), slug: SandboxSeeds.roundRobinLinkSlug,
            durationMinutes: 30, timezone: "America/New_York", page: BookingPageSettings(enabled: true))
    }

    @Test("every form field of the link with its control, required marked, and the consent texts with checkboxes")
    func linkFormFields() async throws {
        try await TestBridge.run(configure: Self.configureFormLinks) { bridge in
            let html = Self.text(try await bridge.request(.GET, "/book/onboard"))
            // A required text field HubSpot asks for, which the source does not map: named for intake to read.
            #expect(
                html.contains(
                    "<label for=\"bb-f-formField.account_id\">Account ID <span class=\"bb-req\">(required)</span>"))
            #expect(html.contains("name=\"formField.account_id\" type=\"text\" autocomplete=\"on\" required>"))
            // A radio choice: a group with a legend, HubSpot's options in display order, the hidden one left out.
            #expect(html.contains("<fieldset class=\"bb-choice\" id=\"bb-f-formField.topic\"><legend>Topic</legend>"))
            let values = html.components(separatedBy: "name=\"formField.topic\" value=\"").dropFirst().map {
                String($0.prefix { $0 != "\"" })
            }
            #expect(values == ["setup", "billing", "api"])
            #expect(!html.contains("legacy") && !html.contains("Retired plan"))
            // The consent block: HubSpot's texts and a checkbox per consent, required where HubSpot requires it.
            #expect(html.contains("<fieldset class=\"bb-consent\"><legend>Consent</legend>"))
            #expect(html.contains("Please tick the boxes you agree to:"))
            #expect(html.contains("See our privacy policy."))
            #expect(html.contains("we need to store and process your details."))
            #expect(
                html.contains(
                    "name=\"consent.\(SandboxSeeds.requiredConsentTypeId)\" value=\"true\" required><label for=\"bb-consent-0\">I agree to receive onboarding e-mails <span class=\"bb-req\">(required)</span>"
                ))
            #expect(
                html.contains(
                    "name=\"consent.processing\" value=\"true\" required><label for=\"bb-consent-processing\">I agree to allow this company to store and process my personal data."
                ))

            let team = Self.text(try await bridge.request(.GET, "/book/team"))
            // A select choice: a <select> with an empty first choice and HubSpot's options; no consent block.
            #expect(
                team.contains(
                    "<select id=\"bb-f-formField.team_size\" name=\"formField.team_size\"><option value=\"\">–</option><option value=\"1_10\">1-10</option><option value=\"11_50\">11-50</option><option value=\"51_plus\">51 or more</option></select>"
                ))
            #expect(!team.contains("bb-consent"))
        }
    }

    @Test("what the visitor enters in the link's fields and consents reaches HubSpot's book request")
    func linkFormFieldsReachTheBooking() async throws {
        try await TestBridge.run(configure: Self.configureFormLinks) { bridge in
            let slots = try await bridge.freeSlots(
                slug: SandboxSeeds.formLinkSlug, timezone: "Europe/Berlin", minutes: 45)
            let start = try #require(slots.first { $0 > Date().addingTimeInterval(86_400) })
            let fields: [String: Any] = [
                "startTime": HubSpotTimestamp.iso8601(millis: HubSpotTimestamp.millis(start)),
                "timezone": "Europe/Berlin", "firstName": "Ada", "lastName": "Lovelace",
                "email": "ada@onboard.bookingbridge.dev", "formField.account_id": "ACME-7",
                "formField.topic": "billing", "consent.\(SandboxSeeds.requiredConsentTypeId)": "true",
                "consent.processing": "true",
            ]
            // The page posts from the bridge's own origin, which the source's allowedOrigins need not list.
            let own = String(bridge.baseURL)
            let answer = try await bridge.submit("onboard", fields, headers: [("Origin", own)])
            #expect(answer.status == 202, "\(Self.text(answer))")
            let other = try await bridge.submit("onboard", fields, headers: [("Origin", "https://evil.example")])
            #expect(other.status == 403)
            let id = try #require(UUID(uuidString: answer.json?["id"] as? String ?? ""))
            let intent = try await bridge.waitForFinal(id)
            #expect(intent.status == .booked, "\(String(describing: intent.lastError))")
            let booking = try #require(await bridge.sandbox.bookings().first)
            #expect(booking.formFields == ["account_id": "ACME-7", "topic": "billing"])
            #expect(booking.legalConsentResponses == [SandboxSeeds.requiredConsentTypeId: true])

            // Without the required consent the booking check says so (the page marks the box required too).
            var refused = fields
            refused["consent.\(SandboxSeeds.requiredConsentTypeId)"] = nil
            refused["email"] = "no-consent@onboard.bookingbridge.dev"
            let second = try await bridge.submit("onboard", refused, headers: [("Origin", "https://shop.example")])
            #expect(second.status == 202)
            let secondID = try #require(UUID(uuidString: second.json?["id"] as? String ?? ""))
            let failed = try await bridge.waitForFinal(secondID)
            #expect(failed.status == .failed)
            #expect(failed.lastError?.message.contains("I agree to receive onboarding e-mails") == true)
        }
    }

    @Test("intake reads the page's formField. and consent. names only for a source with a page, mapped names first")
    func pageFieldNames() throws {
        var source = SourceConfiguration(
            auth: .public(allowedOrigins: [], honeypotField: nil), slug: SandboxSeeds.formLinkSlug,
            durationMinutes: 45, timezone: "Europe/Berlin", formFields: ["account_id": "account"],
            consent: ["ok": SandboxSeeds.requiredConsentTypeId])
        let fields = [
            "email": "ada@example.org", "firstName": "Ada", "startTime": "2027-02-01T10:00:00Z",
            "account": "mapped", "formField.account_id": "ignored", "formField.topic": " api ",
            "formField.empty": "  ", "ok": "", "consent.\(SandboxSeeds.requiredConsentTypeId)": "true",
            "consent.1234567": "on",
        ]
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let plain = try SubmissionMapper(source: source).map(fields, now: now)
        #expect(plain.formFields == ["account_id": "mapped"])
        #expect(plain.consents == [SandboxSeeds.requiredConsentTypeId: false])
        source.page = BookingPageSettings(enabled: true)
        let page = try SubmissionMapper(source: source).map(fields, now: now)
        #expect(page.formFields == ["account_id": "mapped", "topic": "api"])
        #expect(page.consents == [SandboxSeeds.requiredConsentTypeId: false, "1234567": true])
    }

    @Test("a post from the bridge's own origin: the Origin (or Referer) with exactly the request's Host")
    func ownOrigin() {
        #expect(OriginPolicy.isOwn(origin: "http://127.0.0.1:8080", referer: nil, authority: "127.0.0.1:8080"))
        #expect(OriginPolicy.isOwn(origin: "https://Book.Example", referer: nil, authority: "book.example"))
        #expect(OriginPolicy.isOwn(origin: nil, referer: "http://127.0.0.1:8080/book/x", authority: "127.0.0.1:8080"))
        #expect(!OriginPolicy.isOwn(origin: "http://127.0.0.1:9090", referer: nil, authority: "127.0.0.1:8080"))
        #expect(!OriginPolicy.isOwn(origin: "http://evil.example", referer: nil, authority: nil))
        #expect(!OriginPolicy.isOwn(origin: "null", referer: "http://127.0.0.1:8080/", authority: "127.0.0.1:8080"))
        var auth = SourceAuth(.public(allowedOrigins: ["https://shop.example"], honeypotField: nil))
        let own: HTTPFields = [.origin: "http://127.0.0.1:8080"]
        #expect(throws: IntakeError.self) { try auth.checkHeaders(own, authority: "127.0.0.1:8080") }
        auth.allowsOwnOrigin = true
        #expect(throws: Never.self) { try auth.checkHeaders(own, authority: "127.0.0.1:8080") }
        #expect(throws: IntakeError.self) {
            try auth.checkHeaders([.origin: "https://evil.example"], authority: "127.0.0.1:8080")
        }
    }
}
