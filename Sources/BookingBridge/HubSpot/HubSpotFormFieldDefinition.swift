/// A field of the link's booking form.
public struct HubSpotFormFieldDefinition: Sendable, Equatable, Codable {
    public var name: String
    public var label: String?
    public var fieldType: String?
    public var type: String?
    public var isRequired: Bool
    public var isCustom: Bool
    public var options: [HubSpotFormFieldOption]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        label = try c.decodeIfPresent(String.self, forKey: .label)
        fieldType = try c.decodeIfPresent(String.self, forKey: .fieldType)
        type = try c.decodeIfPresent(String.self, forKey: .type)
        isRequired = try c.decodeIfPresent(Bool.self, forKey: .isRequired) ?? false
        isCustom = try c.decodeIfPresent(Bool.self, forKey: .isCustom) ?? false
        options = try c.decodeIfPresent([HubSpotFormFieldOption].self, forKey: .options) ?? []
    }
}
