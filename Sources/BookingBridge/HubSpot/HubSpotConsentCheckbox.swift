/// One consent checkbox; each must be answered in `legalConsentResponses` when consent is enabled.
public struct HubSpotConsentCheckbox: Sendable, Equatable, Codable {
    public var communicationTypeId: String
    public var label: String?
    public var required: Bool

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        communicationTypeId = try c.decode(String.self, forKey: .communicationTypeId)
        label = try c.decodeIfPresent(String.self, forKey: .label)
        required = try c.decodeIfPresent(Bool.self, forKey: .required) ?? false
    }
}
