import Foundation

/// Where a request goes, read from the raw (still percent-encoded) path so that a slug like `sales%2Fdiscovery`
/// stays one segment and is decoded to `sales/discovery` only afterwards.
enum SandboxRoute: Sendable, Equatable {
    case book
    case bookingInfo(slug: String)
    case availabilityPage(slug: String)
    case listLinks
    /// `GET /crm/v3/objects/contacts/{id}` or `/crm/objects/{2026-03|2026-09}/contacts/{id}`.
    case crmContact(id: String)
    /// `POST /crm/v3/objects/meetings/search` or `/crm/objects/{2026-03|2026-09}/meetings/search`.
    case crmMeetingSearch
    case oauthToken
    case control(Control)
    case notFound

    enum Control: String, Sendable {
        case faults, bookings, reset, stats
    }

    /// API versions served under `/scheduler/{version}/...`.
    static let schedulerVersions: Set<String> = ["2026-03", "2026-09", "v3"]
    /// CRM API versions: `v3` as `/crm/v3/objects/...`, dated ones as `/crm/objects/{version}/...`.
    static let crmVersions: Set<String> = ["2026-03", "2026-09"]
    /// API versions served under `/oauth/{version}/token`.
    static let oauthVersions: Set<String> = ["2026-03", "2026-09"]

    /// Routes a raw path such as `/scheduler/2026-03/meetings/meeting-links/book/sales%2Fdiscovery`.
    init(rawPath: String) {
        let segments = rawPath.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        switch segments.first {
        case "scheduler": self = Self.scheduler(segments)
        case "crm": self = Self.crm(segments)
        case "oauth":
            let isToken = segments.count == 3 && Self.oauthVersions.contains(segments[1]) && segments[2] == "token"
            self = isToken ? .oauthToken : .notFound
        case "__sandbox":
            guard segments.count == 2, let control = Control(rawValue: segments[1]) else {
                self = .notFound
                return
            }
            self = .control(control)
        default: self = .notFound
        }
    }

    private static func scheduler(_ segments: [String]) -> SandboxRoute {
        guard segments.count >= 4, Self.schedulerVersions.contains(segments[1]), segments[2] == "meetings",
            segments[3] == "meeting-links"
        else { return .notFound }
        let rest = Array(segments.dropFirst(4))
        switch rest.count {
        case 0: return .listLinks
        case 1 where rest[0] == "book": return .book
        case 2 where rest[0] == "book":
            return Self.decoded(rest[1]).map { .bookingInfo(slug: $0) } ?? .notFound
        case 3 where rest[0] == "book" && rest[1] == "availability-page":
            return Self.decoded(rest[2]).map { .availabilityPage(slug: $0) } ?? .notFound
        default: return .notFound
        }
    }

    private static func crm(_ segments: [String]) -> SandboxRoute {
        let rest: [String]
        if segments.count >= 3, segments[1] == "v3", segments[2] == "objects" {
            rest = Array(segments.dropFirst(3))
        } else if segments.count >= 3, segments[1] == "objects", Self.crmVersions.contains(segments[2]) {
            rest = Array(segments.dropFirst(3))
        } else {
            return .notFound
        }
        switch (rest.first, rest.count) {
        case ("contacts", 2): return Self.decoded(rest[1]).map { .crmContact(id: $0) } ?? .notFound
        case ("meetings", 2) where rest[1] == "search": return .crmMeetingSearch
        default: return .notFound
        }
    }

    private static func decoded(_ segment: String) -> String? {
        guard let slug = segment.removingPercentEncoding, !slug.isEmpty else { return nil }
        return slug
    }

    /// HTTP methods the route answers.
    var methods: Set<String> {
        switch self {
        case .book, .crmMeetingSearch, .oauthToken, .control(.reset): ["POST"]
        case .control(.faults): ["GET", "POST"]
        case .bookingInfo, .availabilityPage, .listLinks, .crmContact, .control(.bookings), .control(.stats): ["GET"]
        case .notFound: []
        }
    }

    /// Whether the route is part of HubSpot's API (and so is counted, authenticated, limited and faulted).
    var isHubSpotAPI: Bool {
        switch self {
        case .control, .notFound: false
        default: true
        }
    }
}

/// `application/x-www-form-urlencoded` bodies.
enum SandboxForm {
    /// Parses `a=1&b=two+words` into a dictionary (the last value of a repeated key wins).
    static func parse(_ body: String) -> [String: String] {
        var form: [String: String] = [:]
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = Self.decode(parts[0]) else { continue }
            form[key] = parts.count > 1 ? (Self.decode(parts[1]) ?? "") : ""
        }
        return form
    }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
