/// How the link asks for consent.
public struct HubSpotLegalConsentOptions: Sendable, Equatable, Codable {
    /// `IMPLICIT` or `REQUIRED_CHECKBOX`.
    public var processingConsentType: String?
    public var communicationConsentCheckboxes: [HubSpotConsentCheckbox]
    /// The texts HubSpot shows with the consent block: above the checkboxes, the privacy note, the processing
    /// consent text, its checkbox's label (`REQUIRED_CHECKBOX`) and the note below the form (`IMPLICIT`).
    public var communicationConsentText: String?
    public var privacyPolicyText: String?
    public var processingConsentText: String?
    public var processingConsentCheckboxLabel: String?
    public var processingConsentFooterText: String?

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        processingConsentType = try c.decodeIfPresent(String.self, forKey: .processingConsentType)
        communicationConsentCheckboxes =
            try c.decodeIfPresent([HubSpotConsentCheckbox].self, forKey: .communicationConsentCheckboxes) ?? []
        communicationConsentText = try c.decodeIfPresent(String.self, forKey: .communicationConsentText)
        privacyPolicyText = try c.decodeIfPresent(String.self, forKey: .privacyPolicyText)
        processingConsentText = try c.decodeIfPresent(String.self, forKey: .processingConsentText)
        processingConsentCheckboxLabel = try c.decodeIfPresent(String.self, forKey: .processingConsentCheckboxLabel)
        processingConsentFooterText = try c.decodeIfPresent(String.self, forKey: .processingConsentFooterText)
    }
}
