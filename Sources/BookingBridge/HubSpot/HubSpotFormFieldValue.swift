import Foundation

/// One answered form field in a booking request (`{name, value}`).
public struct HubSpotFormFieldValue: Sendable, Equatable, Codable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
