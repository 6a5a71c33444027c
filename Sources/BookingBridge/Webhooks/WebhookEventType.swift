/// The event types subscribers can ask for, and how a subscription's patterns select them.
public enum WebhookEventType {
    public static let bookingConfirmed = "booking.confirmed"
    public static let bookingOffline = "booking.offline"
    public static let bookingFailed = "booking.failed"
    public static let bookingNeedsReview = "booking.needs_review"
    public static let subscriptionDisabled = "subscription.disabled"

    /// Every type the bridge sends.
    public static let all = [bookingConfirmed, bookingOffline, bookingFailed, bookingNeedsReview, subscriptionDisabled]

    /// True when `pattern` selects `type`: the same type, `"*"`, or `"prefix.*"` for every type that starts with
    /// `"prefix."`. The outbox applies the same rule in SQL.
    public static func matches(pattern: String, type: String) -> Bool {
        if pattern == "*" || pattern == type { return true }
        guard pattern.hasSuffix(".*") else { return false }
        return type.hasPrefix(String(pattern.dropLast()))
    }

    /// `nil` when `pattern` is an accepted subscription pattern, or why not: it must name a known type, be `"*"`,
    /// or be a wildcard that selects at least one known type.
    public static func problem(with pattern: String) -> String? {
        if pattern == "*" || all.contains(pattern) { return nil }
        if pattern.hasSuffix(".*"), all.contains(where: { matches(pattern: pattern, type: $0) }) { return nil }
        return
            "unknown event type \"\(pattern)\"; use one of \(all.joined(separator: ", ")), booking.*, subscription.* or *"
    }
}
