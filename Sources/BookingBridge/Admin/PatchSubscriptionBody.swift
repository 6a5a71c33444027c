import Foundation
import Hummingbird
import NIOCore

/// The body of `PATCH /v1/subscriptions/{id}`: absent keys stay as they are, `null` clears `sources`,
/// `description`, `maxPerSecond` and `filter`.
struct PatchSubscriptionBody: Decodable {
    var url: String?
    var eventTypes: [String]?
    var sources: [String]??
    var description: String??
    var enabled: Bool?
    var maxPerSecond: Int??
    var format: String?
    var template: String??
    var contentType: String??
    var filter: JSONValue??

    enum CodingKeys: String, CodingKey {
        case url, eventTypes, sources, description, enabled, maxPerSecond, format, template, contentType, filter
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        url = try c.decodeIfPresent(String.self, forKey: .url)
        eventTypes = try c.decodeIfPresent([String].self, forKey: .eventTypes)
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled)
        if c.contains(.sources) { sources = .some(try c.decodeIfPresent([String].self, forKey: .sources)) }
        if c.contains(.description) { description = .some(try c.decodeIfPresent(String.self, forKey: .description)) }
        if c.contains(.maxPerSecond) { maxPerSecond = .some(try c.decodeIfPresent(Int.self, forKey: .maxPerSecond)) }
        format = try c.decodeIfPresent(String.self, forKey: .format)
        if c.contains(.template) { template = .some(try c.decodeIfPresent(String.self, forKey: .template)) }
        if c.contains(.contentType) { contentType = .some(try c.decodeIfPresent(String.self, forKey: .contentType)) }
        if c.contains(.filter) { filter = .some(try c.decodeIfPresent(JSONValue.self, forKey: .filter)) }
    }
}
