import AsyncHTTPClient
import Foundation
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
}
