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
