/// The link's settings (`customParams`): durations, form, consent, buffers, guests.
public struct HubSpotLinkParams: Sendable, Equatable, Codable {
    /// Offered meeting lengths, milliseconds.
    public var durations: [Int64]
    public var formFields: [HubSpotFormFieldDefinition]
    public var legalConsentEnabled: Bool
    public var legalConsentOptions: HubSpotLegalConsentOptions?
    /// Milliseconds kept free around meetings.
    public var meetingBufferTime: Int64?
    /// `FIVE` ... `SIXTY` or `MEETING_DURATION`.
    public var startTimeIncrementMinutes: String?
    public var guestSettings: HubSpotGuestSettings?
    public var ownerPrioritized: Bool?
    public var weeksToAdvertise: Int?
    public var locale: String?
    public var redirectUrl: String?

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        durations = try c.decodeIfPresent([Int64].self, forKey: .durations) ?? []
        formFields = try c.decodeIfPresent([HubSpotFormFieldDefinition].self, forKey: .formFields) ?? []
        legalConsentEnabled = try c.decodeIfPresent(Bool.self, forKey: .legalConsentEnabled) ?? false
        legalConsentOptions = try c.decodeIfPresent(HubSpotLegalConsentOptions.self, forKey: .legalConsentOptions)
        meetingBufferTime = try c.decodeIfPresent(Int64.self, forKey: .meetingBufferTime)
        startTimeIncrementMinutes = try c.decodeIfPresent(String.self, forKey: .startTimeIncrementMinutes)
        guestSettings = try c.decodeIfPresent(HubSpotGuestSettings.self, forKey: .guestSettings)
        ownerPrioritized = try c.decodeIfPresent(Bool.self, forKey: .ownerPrioritized)
        weeksToAdvertise = try c.decodeIfPresent(Int.self, forKey: .weeksToAdvertise)
        locale = try c.decodeIfPresent(String.self, forKey: .locale)
        redirectUrl = try c.decodeIfPresent(String.self, forKey: .redirectUrl)
    }
}
