import Foundation

/// The submission exactly as the form sent it, decoded to fields.
public struct RawSubmission: Codable, Sendable, Equatable {
    public var contentType: String
    public var fields: [String: String]

    public init(contentType: String, fields: [String: String]) {
        self.contentType = contentType
        self.fields = fields
    }
}
