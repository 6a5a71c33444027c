import Foundation

/// A CRM object as HubSpot's CRM reads answer it (`SimplePublicObject`, and `SimplePublicObjectWithAssociations`
/// for a read by id): its id, its properties (every value a string, or `null` when requested but unset), and the
/// ids of associated objects when asked for.
public struct HubSpotCRMObject: Sendable, Equatable, Decodable {
    public var id: String
    public var properties: [String: String]
    public var createdAt: String?
    /// Associated object ids by object type (`meetings`), each `{results: [{id, type}]}`.
    public var associations: [String: [String]]

    enum CodingKeys: String, CodingKey { case id, properties, createdAt, associations }
    struct Associated: Decodable {
        struct One: Decodable { var id: String }
        var results: [One]?
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        let raw = try c.decodeIfPresent([String: String?].self, forKey: .properties) ?? [:]
        properties = raw.compactMapValues { $0 }
        createdAt = try c.decodeIfPresent(String.self, forKey: .createdAt)
        let associated = try c.decodeIfPresent([String: Associated].self, forKey: .associations) ?? [:]
        associations = associated.mapValues { ($0.results ?? []).map(\.id) }
    }
}

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

/// The body of a CRM search (`PublicObjectSearchRequest`): filter groups OR-ed, the filters of a group AND-ed.
public struct HubSpotCRMSearchRequest: Sendable, Equatable, Encodable {
    public struct Filter: Sendable, Equatable, Encodable {
        public var propertyName: String
        public var `operator`: String
        public var value: String?
        public var highValue: String?

        public init(propertyName: String, operator: String, value: String? = nil, highValue: String? = nil) {
            self.propertyName = propertyName
            self.operator = `operator`
            self.value = value
            self.highValue = highValue
        }
    }

    public struct FilterGroup: Sendable, Equatable, Encodable {
        public var filters: [Filter]
    }

    public struct Sort: Sendable, Equatable, Encodable {
        public var propertyName: String
        public var direction: String
    }

    public var filterGroups: [FilterGroup]
    public var properties: [String]
    public var sorts: [Sort]
    public var limit: Int
    public var after: String?

    public init(
        filters: [Filter], properties: [String], sortAscendingBy: String? = nil, limit: Int = 100, after: String? = nil
    ) {
        filterGroups = [FilterGroup(filters: filters)]
        self.properties = properties
        sorts = sortAscendingBy.map { [Sort(propertyName: $0, direction: "ASCENDING")] } ?? []
        self.limit = limit
        self.after = after
    }
}

/// The scope HubSpot's CRM reads of contacts and meetings need (the spec's `security` of both calls).
public enum HubSpotCRMScope {
    public static let contactsRead = "crm.objects.contacts.read"
}
