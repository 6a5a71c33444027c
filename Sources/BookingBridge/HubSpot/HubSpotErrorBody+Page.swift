import Foundation

extension HubSpotErrorBody {
    /// What to say about an error answer whose body is not HubSpot's JSON, e.g. the HTML page HubSpot's edge
    /// (Cloudflare) sends with a 502 or 524; `nil` when the body is empty or JSON.
    ///
    /// The page's `<title>` is kept (at most 80 characters) because it names the edge's reason ("524: A timeout
    /// occurred"); the rest of the page is not.
    static func pageDescription(status: Int, contentType: String?, body: String) -> String? {
        let trimmed = body.drop { $0.isWhitespace }
        guard !trimmed.isEmpty, trimmed.first != "{" else { return nil }
        let isHTML = contentType?.lowercased().contains("html") == true || trimmed.first == "<"
        guard isHTML else { return "HubSpot answered \(status) with a body that is not JSON" }
        var description = "HubSpot answered \(status) with an HTML page, not JSON (an error page of HubSpot's edge)"
        if let title = Self.title(of: body) { description += ": \(title)" }
        return description
    }

    private static func title(of page: String) -> String? {
        guard let open = page.range(of: "<title>", options: .caseInsensitive),
            let close = page.range(of: "</title>", options: .caseInsensitive, range: open.upperBound..<page.endIndex)
        else { return nil }
        let title = page[open.upperBound..<close.lowerBound].split(whereSeparator: \.isWhitespace).joined(
            separator: " ")
        return title.isEmpty ? nil : String(title.prefix(80))
    }
}
