import Foundation

/// The console's page frame and the small pieces every page uses. Everything is `HTML`, so values are escaped.
enum ConsolePages {
    enum Section: String, CaseIterable {
        case overview, intents, review, retry, subscriptions

        var path: String {
            switch self {
            case .overview: "/console"
            case .intents: "/console/intents"
            case .review: "/console/review"
            case .retry: "/console/retry"
            case .subscriptions: "/console/subscriptions"
            }
        }

        var title: String {
            switch self {
            case .overview: "Overview"
            case .intents: "Intents"
            case .review: "Needs review"
            case .retry: "Bulk retry"
            case .subscriptions: "Subscriptions"
            }
        }
    }

    /// A whole HTML document.
    static func document(title: String, body: HTML, live: Bool = false) -> HTML {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <title>\(title) · BookingBridge console</title>
        <link rel="stylesheet" href="/console/assets/console.css">
        <script src="/console/assets/console.js" defer></script>
        </head><body\(live ? " data-live" : "" as HTML)>
        \(body)
        </body></html>
        """
    }

    /// A signed-in page: the navigation, a sign-out button and `content`.
    static func page(
        _ section: Section?, title: String, session: ConsoleController.Session, live: Bool = false, content: HTML
    ) -> HTML {
        let links: [HTML] = Section.allCases.map { s in
            "<a href=\"\(s.path)\"\(s == section ? " class=\"current\" aria-current=\"page\"" : "" as HTML)>\(s.title)</a>"
        }
        return document(
            title: title,
            body: """
                <header><span class="brand">BookingBridge</span><nav>\(links)</nav>
                <form class="inline" method="post" action="/console/sign-out">\(csrf(session))
                <button class="secondary" type="submit">Sign out</button></form></header>
                <main><h1>\(title)</h1>\(live ? "<p class=\"muted\" id=\"refreshed\">refreshes every 10 s</p>" : "" as HTML)
                \(content)</main>
                """, live: live)
    }

    static func csrf(_ session: ConsoleController.Session) -> HTML {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(session.csrf)\">"
    }

    static func status(_ status: String) -> HTML {
        "<span class=\"status s-\(status)\">\(status.replacingOccurrences(of: "_", with: " "))</span>"
    }

    static func time(_ date: Date?) -> HTML {
        guard let date else { return "–" }
        let text = date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: false))
        return "<time datetime=\"\(text)\">\(text.replacingOccurrences(of: "T", with: " "))</time>"
    }

    static func intentLink(_ id: UUID) -> HTML {
        let text = id.uuidString.lowercased()
        return "<a class=\"mono\" href=\"/console/intents/\(text)\">\(String(text.prefix(8)))</a>"
    }

    static func notice(_ text: String?) -> HTML {
        guard let text, !text.isEmpty else { return "" }
        return "<p class=\"notice\" role=\"status\">\(text)</p>"
    }

    static func error(_ text: String?) -> HTML {
        guard let text, !text.isEmpty else { return "" }
        return "<p class=\"error\" role=\"alert\">\(text)</p>"
    }

    /// JSON text, indented with sorted keys (as stored when it is not JSON).
    static func prettyJSON(_ text: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]),
            let data = try? JSONSerialization.data(
                withJSONObject: object,
                options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
        else { return text }
        return String(decoding: data, as: UTF8.self)
    }

    static func prettyJSON(_ value: some Encodable) -> String {
        guard let data = try? JSONCoding.encoder.encode(value) else { return "" }
        return prettyJSON(String(decoding: data, as: UTF8.self))
    }

    /// What a failure says, in one line.
    static func reason(_ r: FailureReason?) -> String {
        guard let r else { return "" }
        var parts = [r.origin]
        if let category = r.category { parts.append(category) }
        if let sub = r.subCategory { parts.append(sub) }
        return parts.joined(separator: " · ") + ": " + r.message
    }

    /// Statuses in the order the chart stacks them.
    static let chartStatuses = [
        "booked", "offline", "needs_review", "failed", "rejected", "retrying", "received", "spam",
    ]

    /// Intents per hour by status over the last 24 hours, as stacked bars in inline SVG.
    static func chart(_ perHour: [(hour: Date, status: String, count: Int)], now: Date) -> HTML {
        let hourStart = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 3600).rounded(.down) * 3600)
        let hours = (0..<24).map { hourStart.addingTimeInterval(Double($0 - 23) * 3600) }
        var counts: [Date: [String: Int]] = [:]
        for row in perHour { counts[row.hour, default: [:]][row.status, default: 0] += row.count }
        let peak = max(1, hours.map { counts[$0]?.values.reduce(0, +) ?? 0 }.max() ?? 1)
        let width = 720.0
        let height = 160.0
        let barWidth = width / 24
        var bars: [HTML] = []
        for (index, hour) in hours.enumerated() {
            var y = height
            let hourCounts = counts[hour] ?? [:]
            for status in chartStatuses {
                guard let n = hourCounts[status], n > 0 else { continue }
                let h = Double(n) / Double(peak) * (height - 10)
                y -= h
                let label = "\(clock(hour)) \(status): \(n)"
                bars.append(
                    """
                    <rect class="\(status)" x="\(Self.number(Double(index) * barWidth + 2))" y="\(Self.number(y))" \
                    width="\(Self.number(barWidth - 4))" height="\(Self.number(h))"><title>\(label)</title></rect>
                    """)
            }
            if index % 4 == 0 {
                bars.append(
                    """
                    <text x="\(Self.number(Double(index) * barWidth + 2))" y="\(Self.number(height + 14))">\
                    \(clock(hour))</text>
                    """)
            }
        }
        let legend: [HTML] = chartStatuses.map {
            "<span><i class=\"\($0)\"></i>\($0.replacingOccurrences(of: "_", with: " "))</span>"
        }
        return """
            <svg class="chart" viewBox="0 0 \(Int(width)) \(Int(height + 20))" role="img"
             aria-label="Intents per hour by outcome, last 24 hours (UTC); the tallest bar is \(peak)">\(bars)</svg>
            <p class="legend">\(legend) <span class="muted">peak \(peak) an hour; times in UTC</span></p>
            """
    }

    /// `HH:mm` in UTC.
    private static func clock(_ date: Date) -> String {
        String(date.formatted(Date.ISO8601FormatStyle().time(includingFractionalSeconds: false)).prefix(5))
    }

    private static func number(_ value: Double) -> String { String(format: "%.1f", value) }
}
