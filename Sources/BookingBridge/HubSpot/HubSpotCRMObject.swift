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
