import Foundation

/// Why an intent failed or waits: a reason a person can act on, kept on the intent and sent in `booking.failed`.
public struct FailureReason: Codable, Sendable, Equatable, Error {
    /// `hubspot` when HubSpot refused, `bridge` for the bridge's own checks, `network` when HubSpot was not reached.
    public var origin: String
    public var message: String
    public var httpStatus: Int?
    public var category: String?
    public var subCategory: String?
    public var correlationId: String?
    /// Offered start times near the requested one, when the requested one is not offered.
    public var suggestedStartTimes: [Date]?
    /// For a rejected submission: each failing field, named as the sender names it.
    public var errors: [ProblemFieldError]?

    public init(
        origin: String, message: String, httpStatus: Int? = nil, category: String? = nil, subCategory: String? = nil,
        correlationId: String? = nil, suggestedStartTimes: [Date]? = nil, errors: [ProblemFieldError]? = nil
    ) {
        self.errors = errors
        self.origin = origin
        self.message = message
        self.httpStatus = httpStatus
        self.category = category
        self.subCategory = subCategory
        self.correlationId = correlationId
        self.suggestedStartTimes = suggestedStartTimes
    }
}
