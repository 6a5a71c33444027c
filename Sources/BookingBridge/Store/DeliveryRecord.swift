import Foundation

/// One delivery (an event for a subscription) as the admin API shows it.
public struct DeliveryRecord: Sendable, Equatable, Codable {
    public var id: Int64
    public var eventID: String
    public var eventType: String
    public var subscriptionID: UUID
    public var status: DeliveryStatus
    public var attempts: Int
    public var nextAttemptAt: Date
    /// True while a dispatcher holds the delivery (a request may be on its way).
    public var inFlight: Bool
    public var lastAttemptAt: Date?
    public var lastStatusCode: Int?
    public var lastResponseBody: String?
    public var lastError: String?
    public var deliveredAt: Date?
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, eventID = "eventId", eventType, subscriptionID = "subscriptionId", status, attempts, nextAttemptAt
        case inFlight, lastAttemptAt, lastStatusCode, lastResponseBody, lastError, deliveredAt, createdAt, updatedAt
    }

    /// Ids are written in lower case, like every id the bridge shows.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(eventID, forKey: .eventID)
        try c.encode(eventType, forKey: .eventType)
        try c.encode(subscriptionID.uuidString.lowercased(), forKey: .subscriptionID)
        try c.encode(status, forKey: .status)
        try c.encode(attempts, forKey: .attempts)
        try c.encode(nextAttemptAt, forKey: .nextAttemptAt)
        try c.encode(inFlight, forKey: .inFlight)
        try c.encodeIfPresent(lastAttemptAt, forKey: .lastAttemptAt)
        try c.encodeIfPresent(lastStatusCode, forKey: .lastStatusCode)
        try c.encodeIfPresent(lastResponseBody, forKey: .lastResponseBody)
        try c.encodeIfPresent(lastError, forKey: .lastError)
        try c.encodeIfPresent(deliveredAt, forKey: .deliveredAt)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
    }
}
