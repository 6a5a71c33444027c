import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The hosted booking page of a `public` source with `page.enabled`: `GET /book/{source}` and its own style
/// sheet, script and embed script, the no-JavaScript result page and the meeting's `.ics`.
///
/// The page is server-rendered HTML that works as a plain form (the open starts of the next days as radio
/// buttons in the source's time zone, posted to intake, answered 303 to the result page); its script turns it
/// into a slot picker in the visitor's time zone that posts JSON and shows the booking's progress live.
struct BookingPageController: Sendable {
    let intake: IntakeController
    /// A source's booking info and open slots come through its own HubSpot account.
    let reads: SourceReads
    let logger: Logger

    func addRoutes(to router: Router<BridgeRequestContext>) {
        router.get("/book/{source}") { request, context in
            try await self.page(request, context: context)
        }
        router.get("/book/{source}/page.css") { _, context in
            let (_, source, _) = try self.source(context)
            return Self.asset(BookingPageAssets.css(accent: source.page?.accentColor), type: "text/css")
        }
        router.get("/book/{source}/page.js") { _, context in
            _ = try self.source(context)
            return Self.asset(BookingPageAssets.pageJS, type: "text/javascript")
        }
        router.get("/book/{source}/embed.js") { _, context in
            _ = try self.source(context)
            var response = Self.asset(BookingPageAssets.embedJS, type: "text/javascript")
            response.headers[.accessControlAllowOrigin] = "*"
            return response
        }
        router.get("/book/{source}/done/{receipt}") { _, context in
            try await self.done(context: context)
        }
        router.get("/book/{source}/ics/{receipt}") { _, context in
            try await self.ics(context: context)
        }
    }

    func source(
        _ context: BridgeRequestContext
    ) throws -> (String, SourceConfiguration, IntakeController.PreparedSource) {
        guard let name = context.parameters.get("source"), let prepared = intake.sources[name],
            case .public = prepared.configuration.auth, prepared.configuration.page?.enabled == true
        else { throw Problem(.notFound, detail: "no booking page has that name") }
        return (name, prepared.configuration, prepared)
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "\(type); charset=utf-8", .cacheControl: "public, max-age=300"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// The page's security headers: scripts, styles and connections from the bridge only, no inline code,
    /// framing only by the source's allowed origins.
    static func securityHeaders(_ source: SourceConfiguration) -> HTTPFields {
        var ancestors = "'self'"
        if case .public(let origins, _) = source.auth {
            let listed = origins.compactMap(OriginPolicy.normalize)
            ancestors = origins.isEmpty || origins.contains("*") ? "*" : (["'self'"] + listed).joined(separator: " ")
        }
        var images = "'self'"
        if let logo = source.page?.logoUrl, let url = URLComponents(string: logo), let host = url.host {
            images += " https://\(host)"
        }
        return [
            .contentType: "text/html; charset=utf-8",
            .contentSecurityPolicy:
                "default-src 'none'; script-src 'self'; style-src 'self'; img-src \(images); connect-src 'self'; "
                + "form-action 'self'; base-uri 'none'; frame-ancestors \(ancestors)",
            .init("X-Content-Type-Options")!: "nosniff",
            .init("Referrer-Policy")!: "same-origin",
            .cacheControl: "no-store",
        ]
    }

    func page(_ request: Request, context: BridgeRequestContext) async throws -> Response {
        let (name, source, _) = try source(context)
        let texts = BookingPageTexts(locale: source.locale)
        let zone = TimeZone(identifier: source.timezone ?? "UTC") ?? TimeZone(identifier: "UTC")!
        let account = reads.account(for: source)
        var info: HubSpotBookingInfo?
        do {
            info = try await account.catalog.bookingInfo(slug: source.slug, timezone: zone.identifier)
        } catch {
            logger.warning(
                "booking page without the link's booking info", metadata: ["source": "\(name)", "error": "\(error)"])
        }
        let minutes =
            source.durationMinutes ?? info?.customParams.durations.min().map { Int($0 / 60_000) } ?? 30
        var slots: [HubSpotSlot] = []
        if let window = SlotWindow(from: SlotWindow.today(in: zone), days: 7, timezone: zone),
            let snapshot = try? await account.cache.snapshot(slug: source.slug, window: window)
        {
            slots = window.slots(
                pages: snapshot.pages, durationMillis: Int64(minutes) * 60_000, excluding: snapshot.holds)
        }
        let html = BookingPageHTML(
            name: name, source: source, texts: texts, zone: zone, minutes: minutes, info: info, slots: slots,
            embedded: request.uri.queryParameters["embed"] != nil
        ).render()
        return Response(
            status: .ok, headers: Self.securityHeaders(source), body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// The result page of a form posted without JavaScript: reloads itself while the booking is under way.
    func done(context: BridgeRequestContext) async throws -> Response {
        let (name, source, prepared) = try source(context)
        let receipt = context.parameters.get("receipt") ?? ""
        guard let status = try await intake.visitorStatus(source: prepared, receipt: receipt) else {
            throw Problem(.notFound, detail: "no submission has that receipt")
        }
        let html = BookingPageHTML.result(
            name: name, source: source, texts: BookingPageTexts(locale: source.locale), status: status,
            receipt: receipt)
        return Response(
            status: .ok, headers: Self.securityHeaders(source), body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// `GET /book/{source}/ics/{receipt}`: the booked meeting as an iCalendar file.
    func ics(context: BridgeRequestContext) async throws -> Response {
        let (_, source, prepared) = try source(context)
        let receipt = context.parameters.get("receipt") ?? ""
        guard let status = try await intake.visitorStatus(source: prepared, receipt: receipt),
            status.status == "booked", let start = status.start, let end = status.end
        else { throw Problem(.notFound, detail: "no booked meeting has that receipt") }
        let text = ICalendar.event(
            uid: String(receipt.prefix(32)) + "@bookingbridge", start: start, end: end,
            summary: status.subject ?? source.page?.title ?? BookingPageTexts(locale: source.locale)["title"],
            location: status.location, url: status.videoUrl)
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/calendar; charset=utf-8",
                .contentDisposition: "attachment; filename=\"meeting.ics\"", .cacheControl: "no-store",
            ],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
