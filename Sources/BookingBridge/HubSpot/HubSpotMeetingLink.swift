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
