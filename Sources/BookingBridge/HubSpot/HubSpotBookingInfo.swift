/// HubSpot's answer to `GET /scheduler/2026-03/meetings/meeting-links/book/{slug}?timezone=`: what a booking
/// page needs to know about a meeting link.
public struct HubSpotBookingInfo: Sendable, Equatable, Codable {
    public var linkId: String
    /// `PERSONAL_LINK`, `GROUP_CALENDAR` or `ROUND_ROBIN_CALENDAR`.
    public var linkType: String
    public var isOffline: Bool
    public var allUsersBusyTimes: [HubSpotUserBusyTimes]
    public var customParams: HubSpotLinkParams
    public var linkAvailability: HubSpotLinkAvailability?

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        linkId = try c.decode(String.self, forKey: .linkId)
        linkType = try c.decode(String.self, forKey: .linkType)
        isOffline = try c.decodeIfPresent(Bool.self, forKey: .isOffline) ?? false
        allUsersBusyTimes = try c.decodeIfPresent([HubSpotUserBusyTimes].self, forKey: .allUsersBusyTimes) ?? []
        customParams = try c.decode(HubSpotLinkParams.self, forKey: .customParams)
        linkAvailability = try c.decodeIfPresent(HubSpotLinkAvailability.self, forKey: .linkAvailability)
    }
}
