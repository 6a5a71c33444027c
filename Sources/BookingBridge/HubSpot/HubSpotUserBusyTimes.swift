/// The busy times of one member of a link.
public struct HubSpotUserBusyTimes: Sendable, Equatable, Codable {
    public var busyTimes: [HubSpotBusyTime]
    public var isOffline: Bool
    public var meetingsUser: HubSpotMeetingsUser?

    public init(busyTimes: [HubSpotBusyTime], isOffline: Bool = false, meetingsUser: HubSpotMeetingsUser? = nil) {
        self.busyTimes = busyTimes
        self.isOffline = isOffline
        self.meetingsUser = meetingsUser
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        busyTimes = try c.decodeIfPresent([HubSpotBusyTime].self, forKey: .busyTimes) ?? []
        isOffline = try c.decodeIfPresent(Bool.self, forKey: .isOffline) ?? false
        meetingsUser = try c.decodeIfPresent(HubSpotMeetingsUser.self, forKey: .meetingsUser)
    }
}
