import Foundation

/// One page of `POST /crm/objects/2026-03/meetings/search` (`CollectionResponseWithTotalSimplePublicObject`).
public struct HubSpotCRMSearchPage: Sendable, Equatable, Decodable {
    public var total: Int?
    public var results: [HubSpotCRMObject]
    public var paging: HubSpotPaging?

    public var nextAfter: String? { paging?.next?.after }

    enum CodingKeys: String, CodingKey { case total, results, paging }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        total = try c.decodeIfPresent(Int.self, forKey: .total)
        results = try c.decodeIfPresent([HubSpotCRMObject].self, forKey: .results) ?? []
        paging = try c.decodeIfPresent(HubSpotPaging.self, forKey: .paging)
    }
}
