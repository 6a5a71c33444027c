import Foundation

/// Where a delivery stands. Stored as checked text in `deliveries.status`.
public enum DeliveryStatus: String, Sendable, Codable, CaseIterable {
    /// Waiting for its first attempt (or for its subscription to be enabled).
    case pending
    /// An attempt failed; another is scheduled.
    case retrying
    /// A 2xx answer arrived.
    case delivered
    /// Every attempt failed; redeliver or recover to try again.
    case failed
}
