/// A choice of an enumerated form field.
public struct HubSpotFormFieldOption: Sendable, Equatable, Codable {
    public var label: String?
    public var value: String?
    /// Where the choice goes in the list (lowest first).
    public var displayOrder: Int?
    /// A hidden choice is not offered to visitors.
    public var hidden: Bool?
}
