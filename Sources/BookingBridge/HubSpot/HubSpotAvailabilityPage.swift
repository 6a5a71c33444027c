/// HubSpot's answer to `GET .../book/availability-page/{slug}?timezone=&monthOffset=`.
public struct HubSpotAvailabilityPage: Sendable, Equatable, Codable {
    public var allUsersBusyTimes: [HubSpotUserBusyTimes]
    public var linkAvailability: HubSpotLinkAvailability

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        allUsersBusyTimes = try c.decodeIfPresent([HubSpotUserBusyTimes].self, forKey: .allUsersBusyTimes) ?? []
        linkAvailability = try c.decode(HubSpotLinkAvailability.self, forKey: .linkAvailability)
    }
}
