import Foundation
import Hummingbird
import NIOCore

/// The body of `POST /v1/subscriptions`.
struct CreateSubscriptionBody: Decodable {
    var url: String?
    var eventTypes: [String]?
    var sources: [String]?
    var description: String?
    var secret: String?
    var enabled: Bool?
    var maxPerSecond: Int?
    var format: String?
    var template: String?
    var contentType: String?
    var filter: JSONValue?
}
