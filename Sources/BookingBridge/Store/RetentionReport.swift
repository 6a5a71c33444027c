/// Rows removed, per table: by one retention pass (`RetentionService.prune`) or one erasure (`Forget.erase`).
public struct RetentionReport: Sendable, Equatable, Encodable {
    public var intents = 0
    /// `attempts` rows (HubSpot calls) of the removed intents.
    public var attempts = 0
    public var bookings = 0
    public var events = 0
    public var deliveries = 0
    /// `delivery_attempts` rows of the removed deliveries.
    public var deliveryAttempts = 0

    public init() {}

    /// Every row removed, over all tables.
    public var total: Int { intents + attempts + bookings + events + deliveries + deliveryAttempts }

    public static func + (lhs: RetentionReport, rhs: RetentionReport) -> RetentionReport {
        var sum = lhs
        sum.intents += rhs.intents
        sum.attempts += rhs.attempts
        sum.bookings += rhs.bookings
        sum.events += rhs.events
        sum.deliveries += rhs.deliveries
        sum.deliveryAttempts += rhs.deliveryAttempts
        return sum
    }

    /// For log lines.
    public var metadata: [String: String] {
        [
            "intents": "\(intents)", "attempts": "\(attempts)", "bookings": "\(bookings)", "events": "\(events)",
            "deliveries": "\(deliveries)", "delivery_attempts": "\(deliveryAttempts)",
        ]
    }
}
