import Foundation
import Logging
import PostgresNIO

/// What `Forget.erase` removed.
public struct ForgetReport: Sendable, Equatable, Encodable {
    /// The address as compared (trimmed, lower-cased).
    public var email: String
    public var removed = RetentionReport()
    /// Intents of this person that a worker is booking right now and that were therefore kept: erase again shortly.
    public var inFlight = 0

    public init(email: String) { self.email = email }
}
