import Foundation
import HTTPTypes
import Hummingbird

/// The console's pages (GET). They read through the stores; what they change goes through `AdminCall`.
extension ConsoleController {
    static let periods: [(key: String, title: String, seconds: Double)] = [
        ("1h", "last hour", 3600), ("24h", "last 24 hours", 86400), ("7d", "last 7 days", 7 * 86400),
        ("30d", "last 30 days", 30 * 86400),
    ]
    static let pageSize = 50

    func addPages(to console: RouterGroup<BridgeRequestContext>) {
        console.get("") { request, _ in try await self.page(request) { try await self.overview(request, $0) } }
        console.get("intents") { request, _ in try await self.page(request) { try await self.intentList(request, $0) } }
        console.get("intents/{id}") { request, context in
            try await self.page(request) { try await self.intent(request, context, $0) }
        }
        console.get("review") { request, _ in try await self.page(request) { try await self.review(request, $0) } }
        console.get("retry") { request, _ in
            try await self.page(request) { session in
                Self.html(self.retryPage(session, query: Self.query(request), result: nil))
            }
        }
        console.get("subscriptions") { request, _ in
            try await self.page(request) { try await self.subscriptionList(request, $0) }
        }
        console.get("subscriptions/{id}") { request, context in
            try await self.page(request) { try await self.subscription(request, context, $0) }
        }
        console.get("deliveries/{id}") { request, context in
            try await self.page(request) { try await self.delivery(context, $0) }
        }
    }

    static func query(_ request: Request) -> [String: String] {
        var values: [String: String] = [:]
        for (key, value) in request.uri.queryParameters where !value.isEmpty {
            values[String(key)] = String(value)
        }
        return values
    }

    /// A notice chosen by a fixed code after an action (never text from the URL).
    static func doneNotice(_ code: String?) -> HTML {
        let messages = [
            "retried": "The intent is back in the queue.",
            "resolved": "The intent is resolved; its event is queued for the subscribers.",
            "enabled": "The subscription is enabled.", "disabled": "The subscription is disabled.",
            "recovered": "Failed deliveries since that time are queued again.",
            "redelivered": "The delivery is queued again.",
        ]
        return ConsolePages.notice(code.flatMap { messages[$0] })
    }

    // MARK: Overview

    private func overview(_ request: Request, _ session: Session) async throws -> Response {
        let query = Self.query(request)
        let period = Self.periods.first { $0.key == query["period"] } ?? Self.periods[1]
        let now = Date()
        let o = try await queries.overview(since: now.addingTimeInterval(-period.seconds))
        let counts = o.countsByStatus
        let total = counts.values.reduce(0, +)
        func box(_ title: String, _ n: Int, status: String? = nil) -> HTML {
            let link = status.map { "/console/intents" + HTML.query([("status", $0), ("period", period.key)]) }
            return link.map { "<div><b><a href=\"\($0)\">\(n)</a></b>\(title)</div>" }
                ?? "<div><b>\(n)</b>\(title)</div>"
        }
        let periodLinks: [HTML] = Self.periods.map { p in
            p.key == period.key ? "<b>\(p.title)</b> " : "<a href=\"/console?period=\(p.key)\">\(p.title)</a> "
        }
        let failures: [HTML] = o.failures.map { f in
            let key = f.subCategory ?? f.category ?? f.message ?? ""
            let retry = "/console/retry" + HTML.query([("status", "failed"), ("reason", key)])
            return """
                <tr><td>\(f.origin)</td><td>\(f.category ?? "–")</td><td>\(f.subCategory ?? f.message ?? "–")</td>
                <td class="num">\(f.count)</td><td><a href="\(retry)">bulk retry…</a></td></tr>
                """
        }
        let budget: [HTML] = o.hubspot.map { h in
            """
            <tr><td>\(h.account)</td><td class="num">\(h.inWindow) / \(hubspot.rateLimitPer10s)</td>
            <td class="num">\(h.today) / \(hubspot.dailyLimit)</td></tr>
            """
        }
        let deliveryRows: [HTML] = o.deliveries.map { d in
            """
            <tr><td><a href="/console/subscriptions/\(d.subscriptionID.uuidString.lowercased())">\(d.url)</a></td>
            <td>\(d.enabled ? "enabled" : "disabled")</td><td class="num">\(d.pending)</td>
            <td class="num">\(d.failed)</td></tr>
            """
        }
        let oldest: HTML = o.oldestDue.map { "oldest due \(ConsolePages.time($0))" } ?? "nothing waiting"
        let content: HTML = """
            <div id="live">
            <p>Period: \(periodLinks)</p>
            <section class="card"><h2>Funnel</h2>
            <div class="funnel">\(box("received (stored)", total))\(box("spam", counts["spam"] ?? 0, status: "spam"))
            \(box("rejected", counts["rejected"] ?? 0, status: "rejected"))
            \(box("booked", counts["booked"] ?? 0, status: "booked"))\(box("offline", counts["offline"] ?? 0, status: "offline"))
            \(box("failed", counts["failed"] ?? 0, status: "failed"))\(box("needs review", counts["needs_review"] ?? 0, status: "needs_review"))
            \(box("in progress", (counts["received"] ?? 0) + (counts["retrying"] ?? 0)))</div>
            <p class="muted">Rejected: a form service's authentic post that could not be booked as sent. Duplicates
            get the first intent back and form posts refused with a 4xx are not stored; /metrics counts them
            (bookingbridge_http_requests_total by status).</p></section>
            <section class="card"><h2>Intents per hour (last 24 hours)</h2>\(ConsolePages.chart(o.perHour, now: now))</section>
            <div class="grid">
            <section class="card"><h2>Queue</h2><p><b>\(o.queueDepth)</b> waiting · \(oldest)</p></section>
            <section class="card"><h2>HubSpot budget in use</h2><div class="scroll"><table>
            <tr><th>Account</th><th class="num">This 10 s</th><th class="num">Today (UTC)</th></tr>\(budget)</table></div>
            \(o.hubspot.isEmpty ? "<p class=\"muted\">No HubSpot calls yet.</p>" : "" as HTML)</section>
            </div>
            <section class="card"><h2>Failures by reason</h2><div class="scroll"><table>
            <tr><th>Origin</th><th>Category</th><th>Sub-category or check</th><th class="num">Intents</th><th></th></tr>
            \(failures)</table></div>\(o.failures.isEmpty ? "<p class=\"muted\">No failures in this period.</p>" : "" as HTML)</section>
            <section class="card"><h2>Deliveries per subscription</h2><div class="scroll"><table>
            <tr><th>Subscription</th><th>State</th><th class="num">Pending</th><th class="num">Failed</th></tr>
            \(deliveryRows)</table></div></section>
            </div>
            """
        return Self.html(
            ConsolePages.page(.overview, title: "Overview", session: session, live: true, content: content))
    }

    // MARK: Intents

    private func intentList(_ request: Request, _ session: Session) async throws -> Response {
        let query = Self.query(request)
        let status = query["status"].flatMap { IntentStatus(rawValue: $0)?.rawValue }
        let source = query["source"].flatMap { $0.count <= 200 && !$0.unicodeScalars.contains("\u{0}") ? $0 : nil }
        let email = query["email"].flatMap { $0.count <= 320 && !$0.unicodeScalars.contains("\u{0}") ? $0 : nil }
        let period = Self.periods.first { $0.key == query["period"] }
        let page = max(0, min(Int(query["page"] ?? "") ?? 0, 10_000))
        let records = try await queries.intents(
            status: status, source: source, since: period.map { Date().addingTimeInterval(-$0.seconds) },
            email: email, limit: Self.pageSize + 1, offset: page * Self.pageSize)
        let rows: [HTML] = records.prefix(Self.pageSize).map { r in
            """
            <tr><td>\(ConsolePages.intentLink(r.id))</td><td>\(ConsolePages.status(r.status.rawValue))</td>
            <td>\(r.source)</td><td>\(r.request.email)</td><td>\(r.request.firstName) \(r.request.lastName)</td>
            <td>\(ConsolePages.time(r.request.startTime))</td><td>\(ConsolePages.time(r.createdAt))</td></tr>
            """
        }
        let statusOptions: [HTML] =
            [HTML("<option value=\"\">any status</option>")]
            + IntentStatus.allCases.map { s in
                "<option value=\"\(s.rawValue)\"\(s.rawValue == status ? " selected" : "" as HTML)>\(s.rawValue)</option>"
            }
        let periodOptions: [HTML] =
            [HTML("<option value=\"\">any time</option>")]
            + Self.periods.map { p in
                "<option value=\"\(p.key)\"\(p.key == period?.key ? " selected" : "" as HTML)>\(p.title)</option>"
            }
        func link(_ page: Int) -> String {
            "/console/intents"
                + HTML.query([
                    ("status", status), ("source", source), ("period", period?.key), ("email", email),
                    ("page", page > 0 ? String(page) : nil),
                ])
        }
        var pager: [HTML] = []
        if page > 0 { pager.append("<a href=\"\(link(page - 1))\">← newer</a> ") }
        if records.count > Self.pageSize { pager.append("<a href=\"\(link(page + 1))\">older →</a>") }
        let content: HTML = """
            <form class="row" method="get" action="/console/intents">
            <label>Status<select name="status">\(statusOptions)</select></label>
            <label>Source<input name="source" value="\(source)" size="12"></label>
            <label>Period<select name="period">\(periodOptions)</select></label>
            <label>E-mail<input type="search" name="email" value="\(email)" size="22"></label>
            <button type="submit">Show</button></form>
            <section class="card"><div class="scroll"><table>
            <tr><th>Intent</th><th>Status</th><th>Source</th><th>E-mail</th><th>Name</th><th>Meeting</th><th>Received</th></tr>
            \(rows)</table></div>
            \(records.isEmpty ? "<p class=\"muted\">No intents match.</p>" : "" as HTML)<p>\(pager)</p></section>
            """
        return Self.html(ConsolePages.page(.intents, title: "Intents", session: session, content: content))
    }

    private func intent(
        _ request: Request, _ context: BridgeRequestContext, _ session: Session
    ) async throws
        -> Response
    {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text),
            let detail = try await intents.detail(id: id)
        else {
            return Self.html(
                ConsolePages.page(
                    .intents, title: "No such intent", session: session,
                    content: "<p><a href=\"/console/intents\">Back to the intents</a></p>"), status: .notFound)
        }
        let r = detail.record
        let timeline = try await self.timeline(detail)
        let actions: HTML =
            [.failed, .offline, .needsReview].contains(r.status)
            ? """
            <form class="inline" method="post" action="/console/intents/\(r.id.uuidString.lowercased())/retry">\(ConsolePages.csrf(session))
            <button type="submit" data-confirm="Put this intent back in the queue?">Retry</button></form>
            \(r.status == .needsReview ? "<a href=\"/console/review\">Resolve on the review page</a>" : "" as HTML)
            """ : ""
        let content: HTML = """
            \(Self.doneNotice(Self.query(request)["done"]))
            <div id="live">
            <section class="card"><p>\(ConsolePages.status(r.status.rawValue)) <span class="mono">\(r.id.uuidString.lowercased())</span>
            · source \(r.source) · \(r.attempts) attempt(s)\(r.uncertain ? " · an attempt's outcome is unknown" : "")</p>
            \(ConsolePages.error(r.lastError.map(ConsolePages.reason)))
            <p>\(actions)</p></section>
            <section class="card"><h2>Timeline</h2><ol class="timeline">\(timeline)</ol></section>
            </div>
            <div class="grid">
            <section class="card"><h2>Raw submission</h2><pre>\(ConsolePages.prettyJSON(detail.rawJSON))</pre>
            <p class="muted">from \(detail.clientIP ?? "–") · \(detail.userAgent ?? "")</p></section>
            <section class="card"><h2>Normalized request</h2><pre>\(ConsolePages.prettyJSON(r.request))</pre></section>
            </div>
            """
        return Self.html(
            ConsolePages.page(
                .intents, title: "Intent \(r.id.uuidString.lowercased().prefix(8))", session: session,
                live: !r.status.isFinal, content: content))
    }

    /// The intent's story in time order: received, each HubSpot call, the booking, each delivery with its attempts.
    private func timeline(_ detail: IntentStore.Detail) async throws -> [HTML] {
        let r = detail.record
        var events: [(Date, HTML)] = [(r.createdAt, "<b>Received</b> from source \(r.source)")]
        for a in detail.attempts {
            let extra: HTML = a.errorJSON.map { "<pre>\(ConsolePages.prettyJSON($0))</pre>" } ?? ""
            events.append(
                (
                    a.startedAt,
                    """
                    <b>HubSpot \(a.stage)</b> \(ConsolePages.status(a.outcome)) HTTP \(a.httpStatus.map(String.init) ?? "–") \
                    · \(a.durationMs.map { "\($0) ms" } ?? "in flight") · correlation id \
                    <span class="mono">\(a.correlationID ?? "–")</span>\(extra)
                    """
                ))
        }
        if let b = detail.booking {
            events.append(
                (
                    b.createdAt,
                    """
                    <b>\(b.isOffline ? "Offline (no meeting)" : "Booked")</b> \(b.slug) at \(ConsolePages.time(b.startTime)) \
                    · calendar event <span class="mono">\(b.calendarEventID ?? "–")</span> · contact \
                    <span class="mono">\(b.contactID ?? "–")</span>\(b.resolvedBy.map { " · resolved by \($0)" } ?? "")
                    """
                ))
        }
        for d in detail.deliveries ?? [] {
            let attempts = try await deliveries.attempts(deliveryID: d.id)
            let log: [HTML] = attempts.map { a in
                "<li>\(ConsolePages.time(a.startedAt)) #\(a.attempt) \(a.outcome) \(a.statusCode.map(String.init) ?? "") \(a.durationMs) ms \(a.error ?? "")</li>"
            }
            events.append(
                (
                    d.createdAt,
                    """
                    <b>Delivery</b> <a href="/console/deliveries/\(Int(d.id))">\(d.eventType)</a> \
                    \(ConsolePages.status(d.status)) to <a href="/console/subscriptions/\(d.subscriptionID.uuidString.lowercased())">subscription</a> \
                    · \(d.attempts) attempt(s)\(d.deliveredAt.map { _ in " · delivered" } ?? "")<ul>\(log)</ul>
                    """
                ))
        }
        return events.sorted { $0.0 < $1.0 }.map { "<li>\(ConsolePages.time($0.0))\($0.1)</li>" }
    }

    // MARK: Needs review

    private func review(_ request: Request, _ session: Session) async throws -> Response {
        let records = try await queries.intents(
            status: IntentStatus.needsReview.rawValue, source: nil, since: nil, email: nil, limit: 50, offset: 0)
        var cards: [HTML] = []
        for r in records {
            let detail = try await intents.detail(id: r.id)
            let evidence: [HTML] = (detail?.attempts ?? []).map { a in
                """
                <li>\(ConsolePages.time(a.startedAt)) <b>\(a.stage)</b> \(a.outcome) HTTP \(a.httpStatus.map(String.init) ?? "–") \
                <span class="mono">\(a.correlationID ?? "")</span>\(a.errorJSON.map { e -> HTML in "<pre>\(ConsolePages.prettyJSON(e))</pre>" } ?? "")</li>
                """
            }
            let id = r.id.uuidString.lowercased()
            let suggested = (r.lastError?.suggestedStartTimes ?? []).map { ConsolePages.time($0) }
            cards.append(
                """
                <section class="card" id="intent-\(id)"><h2>\(ConsolePages.intentLink(r.id)) \(r.request.email)</h2>
                <p>Sent: \(r.request.slug) at \(ConsolePages.time(r.request.startTime)) for \(r.request.durationMinutes) min,
                \(r.request.firstName) \(r.request.lastName)</p>
                \(ConsolePages.error(r.lastError.map(ConsolePages.reason)))
                \(suggested.isEmpty ? "" : "<p>Availability offered after: \(suggested)</p>" as HTML)
                <h3>HubSpot calls</h3><ul>\(evidence)</ul>
                <form class="row" method="post" action="/console/intents/\(id)/resolve">\(ConsolePages.csrf(session))
                <input type="hidden" name="status" value="booked">
                <label>Calendar event id<input name="calendarEventId" required></label>
                <label>Contact id<input name="contactId"></label>
                <button type="submit">Resolve as booked</button></form>
                <form class="row" method="post" action="/console/intents/\(id)/resolve">\(ConsolePages.csrf(session))
                <input type="hidden" name="status" value="failed">
                <label>Reason<input name="reason" required size="30"></label>
                <button class="danger" type="submit">Resolve as failed</button></form>
                <form class="row" method="post" action="/console/intents/\(id)/retry">\(ConsolePages.csrf(session))
                <button class="secondary" type="submit" data-confirm="Book again? Check HubSpot first: a meeting may exist.">Retry</button></form>
                </section>
                """)
        }
        let content: HTML = """
            \(Self.doneNotice(Self.query(request)["done"]))
            <p class="muted">An attempt's answer was never seen and the slot is gone: look the visitor up in HubSpot, then
            resolve as booked (with the meeting's ids) or failed, or retry.</p>
            \(cards)\(records.isEmpty ? "<p class=\"muted\">Nothing needs review.</p>" : "" as HTML)
            """
        return Self.html(ConsolePages.page(.review, title: "Needs review", session: session, content: content))
    }

    // MARK: Bulk retry

    /// The bulk-retry form; after a dry run, the count and a form that requeues the same selection.
    func retryPage(
        _ session: Session, query: [String: String], result: (String, Int, Int)?, error: String? = nil
    )
        -> HTML
    {
        let status = query["status"] == "offline" ? "offline" : "failed"
        let statusOptions: [HTML] = ["failed", "offline"].map { s in
            "<option value=\"\(s)\"\(s == status ? " selected" : "" as HTML)>\(s)</option>"
        }
        func hidden() -> HTML {
            let fields: [HTML] = ["status", "reason", "source", "since", "until"].compactMap { name in
                query[name].map { "<input type=\"hidden\" name=\"\(name)\" value=\"\($0)\">" }
            }
            return "\(fields)"
        }
        var outcome: HTML = ""
        if let (kind, matched, requeued) = result {
            if kind == "dry" {
                outcome = """
                    <section class="card" id="dry-run"><p><b id="matched">\(matched)</b> intent(s) match.</p>
                    \(matched > 0 ? """
                    <form method="post" action="/console/retry">\(ConsolePages.csrf(session))\(hidden())
                    <input type="hidden" name="dryRun" value="false">
                    <button type="submit" data-confirm="Put these intents back in the queue?">Requeue \(matched) intent(s)</button></form>
                    """ : "" as HTML)</section>
                    """
            } else {
                outcome = ConsolePages.notice("\(requeued) of \(matched) matching intent(s) are back in the queue.")
            }
        }
        return ConsolePages.page(
            .retry, title: "Bulk retry", session: session,
            content: """
                <p class="muted">Choose finished intents by reason and period, see how many match, then put them back
                in the queue (POST /v1/intents/retry). Times are UTC.</p>
                \(ConsolePages.error(error))
                <section class="card"><form class="stack" method="post" action="/console/retry">\(ConsolePages.csrf(session))
                <label>Status<select name="status">\(statusOptions)</select></label>
                <label>Reason (HubSpot category or sub-category, or the bridge's message)<input name="reason" value="\(query["reason"])"></label>
                <label>Source<input name="source" value="\(query["source"])"></label>
                <label>Created since<input type="datetime-local" name="since" value="\(query["since"])"></label>
                <label>Created before<input type="datetime-local" name="until" value="\(query["until"])"></label>
                <input type="hidden" name="dryRun" value="true">
                <button type="submit">Count matching intents (dry run)</button></form></section>
                \(outcome)
                """)
    }

    // MARK: Subscriptions and deliveries

    private func subscriptionList(_ request: Request, _ session: Session) async throws -> Response {
        let overview = try await queries.overview(since: Date())
        let counts = Dictionary(overview.deliveries.map { ($0.subscriptionID, ($0.pending, $0.failed)) }) { a, _ in a }
        let rows: [HTML] = try await subscriptions.list().map { s in
            let (pending, failed) = counts[s.id] ?? (0, 0)
            return """
                <tr><td><a href="/console/subscriptions/\(s.id.uuidString.lowercased())">\(s.url)</a></td>
                <td>\(s.eventTypes.joined(separator: ", "))</td><td>\(s.enabled ? "enabled" : "disabled")\(s.disabledReason.map { " (\($0.rawValue))" } ?? "")</td>
                <td class="num">\(pending)</td><td class="num">\(failed)</td><td>\(s.description ?? "")</td></tr>
                """
        }
        let content: HTML = """
            <section class="card"><div class="scroll"><table>
            <tr><th>URL</th><th>Events</th><th>State</th><th class="num">Pending</th><th class="num">Failed</th><th>Description</th></tr>
            \(rows)</table></div></section>
            <section class="card"><h2>New subscription</h2>
            <form class="stack" method="post" action="/console/subscriptions">\(ConsolePages.csrf(session))
            <label>URL<input type="url" name="url" required placeholder="https://hooks.example.com/bookings"></label>
            <label>Event types (comma-separated)<input name="eventTypes" value="booking.*"></label>
            <label>Description<input name="description"></label>
            <button type="submit">Create</button></form></section>
            """
        return Self.html(ConsolePages.page(.subscriptions, title: "Subscriptions", session: session, content: content))
    }

    func subscription(
        _ request: Request, _ context: BridgeRequestContext, _ session: Session
    ) async throws
        -> Response
    {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text),
            let s = try await subscriptions.find(id: id)
        else {
            return Self.html(
                ConsolePages.page(
                    .subscriptions, title: "No such subscription", session: session,
                    content: "<p><a href=\"/console/subscriptions\">Back</a></p>"), status: .notFound)
        }
        let idText = s.id.uuidString.lowercased()
        let list = try await deliveries.list(
            subscriptionID: s.id, status: nil, eventID: nil, before: nil, limit: Self.pageSize)
        let rows: [HTML] = list.map { d in
            """
            <tr><td><a href="/console/deliveries/\(Int(d.id))">\(Int(d.id))</a></td><td>\(d.eventType)</td>
            <td>\(ConsolePages.status(d.status.rawValue))</td><td class="num">\(d.attempts)</td>
            <td>\(d.lastStatusCode.map(String.init) ?? "–")</td><td>\(ConsolePages.time(d.createdAt))</td>
            <td><form class="inline" method="post" action="/console/deliveries/\(Int(d.id))/redeliver">\(ConsolePages.csrf(session))
            <button class="secondary" type="submit">Redeliver</button></form></td></tr>
            """
        }
        let toggle: HTML =
            s.enabled
            ? "<input type=\"hidden\" name=\"enabled\" value=\"false\"><button class=\"danger\" type=\"submit\">Disable</button>"
            : "<input type=\"hidden\" name=\"enabled\" value=\"true\"><button type=\"submit\">Enable</button>"
        let content: HTML = """
            \(Self.doneNotice(Self.query(request)["done"]))
            <section class="card"><p class="mono">\(s.url)</p>
            <p>\(s.enabled ? "enabled" : "disabled")\(s.disabledReason.map { " (\($0.rawValue))" } ?? "") · events \(s.eventTypes.joined(separator: ", "))
            · sources \(s.sources?.joined(separator: ", ") ?? "all")\(s.failingSince.map { _ in " · failing" } ?? "")</p>
            <div class="row">
            <form class="inline" method="post" action="/console/subscriptions/\(idText)/enabled">\(ConsolePages.csrf(session))\(toggle)</form>
            <form class="inline" method="post" action="/console/subscriptions/\(idText)/rotate-secret">\(ConsolePages.csrf(session))
            <button class="secondary" type="submit" data-confirm="Make a new signing secret? The old one keeps working for a while.">Rotate secret</button></form>
            </div>
            <form class="row" method="post" action="/console/subscriptions/\(idText)/recover">\(ConsolePages.csrf(session))
            <label>Recover failed deliveries since (UTC)<input type="datetime-local" name="since" required></label>
            <button class="secondary" type="submit">Recover</button></form></section>
            <section class="card"><h2>Deliveries (newest first)</h2><div class="scroll"><table>
            <tr><th>Id</th><th>Event</th><th>Status</th><th class="num">Attempts</th><th>Last code</th><th>Created</th><th></th></tr>
            \(rows)</table></div>\(list.isEmpty ? "<p class=\"muted\">No deliveries yet.</p>" : "" as HTML)</section>
            """
        return Self.html(
            ConsolePages.page(.subscriptions, title: "Subscription", session: session, content: content))
    }

    private func delivery(_ context: BridgeRequestContext, _ session: Session) async throws -> Response {
        guard let text = context.parameters.get("id"), let id = Int64(text),
            let d = try await deliveries.find(id: id)
        else {
            return Self.html(
                ConsolePages.page(
                    .subscriptions, title: "No such delivery", session: session,
                    content: "<p><a href=\"/console/subscriptions\">Back</a></p>"), status: .notFound)
        }
        let attempts = try await deliveries.attempts(deliveryID: id)
        let rows: [HTML] = attempts.map { a in
            """
            <tr><td class="num">\(a.attempt)</td><td>\(ConsolePages.time(a.startedAt))</td><td>\(a.outcome)</td>
            <td>\(a.statusCode.map(String.init) ?? "–")</td><td class="num">\(a.durationMs)</td>
            <td>\(a.address ?? "")</td><td><span class="mono">\(a.error ?? a.responseBody ?? "")</span></td></tr>
            """
        }
        let content: HTML = """
            <section class="card"><p>\(ConsolePages.status(d.status.rawValue)) \(d.eventType) · event <span class="mono">\(d.eventID)</span>
            · <a href="/console/subscriptions/\(d.subscriptionID.uuidString.lowercased())">subscription</a>
            · next attempt \(ConsolePages.time(d.nextAttemptAt))</p>
            <form class="inline" method="post" action="/console/deliveries/\(Int(d.id))/redeliver">\(ConsolePages.csrf(session))
            <button type="submit">Redeliver</button></form></section>
            <section class="card"><h2>Attempt log</h2><div class="scroll"><table>
            <tr><th class="num">#</th><th>Started</th><th>Outcome</th><th>Code</th><th class="num">ms</th><th>Address</th><th>Error or answer</th></tr>
            \(rows)</table></div></section>
            """
        return Self.html(
            ConsolePages.page(.subscriptions, title: "Delivery \(Int(d.id))", session: session, content: content))
    }
}
