/// One page of `GET /scheduler/2026-03/meetings/meeting-links`.
public struct HubSpotMeetingLinkPage: Sendable, Equatable, Codable {
    public var total: Int?
    public var results: [HubSpotMeetingLink]
    public var paging: HubSpotPaging?

    /// The cursor for the next page, when there is one.
    public var nextAfter: String? { paging?.next?.after }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        total = try c.decodeIfPresent(Int.self, forKey: .total)
        results = try c.decodeIfPresent([HubSpotMeetingLink].self, forKey: .results) ?? []
        paging = try c.decodeIfPresent(HubSpotPaging.self, forKey: .paging)
    }
}

/// A meeting link as listed.
public struct HubSpotMeetingLink: Sendable, Equatable, Codable {
    public var id: String
    public var slug: String
    public var link: String?
    public var name: String?
    public var type: String?
    public var organizerUserId: String?
    public var userIdsOfLinkMembers: [String]
    public var defaultLink: Bool?
    public var createdAt: String?
    public var updatedAt: String?

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        slug = try c.decode(String.self, forKey: .slug)
        link = try c.decodeIfPresent(String.self, forKey: .link)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        type = try c.decodeIfPresent(String.self, forKey: .type)
        organizerUserId = try c.decodeIfPresent(String.self, forKey: .organizerUserId)
        userIdsOfLinkMembers = try c.decodeIfPresent([String].self, forKey: .userIdsOfLinkMembers) ?? []
        defaultLink = try c.decodeIfPresent(Bool.self, forKey: .defaultLink)
        createdAt = try c.decodeIfPresent(String.self, forKey: .createdAt)
        updatedAt = try c.decodeIfPresent(String.self, forKey: .updatedAt)
    }
}

public struct HubSpotPaging: Sendable, Equatable, Codable {
    public struct Next: Sendable, Equatable, Codable {
        public var after: String
    }

    public var next: Next?
}
