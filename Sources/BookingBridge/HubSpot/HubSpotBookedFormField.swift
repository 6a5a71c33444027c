import Foundation

/// A form field as HubSpot echoes it in a booking answer.
public struct HubSpotBookedFormField: Sendable, Equatable, Codable {
    public var name: String
    public var value: String?
    public var label: String?
    public var isCustom: Bool?
    public var fieldType: String?
    public var translatedLabel: String?
    public var valueLabel: String?
}
