public struct HubSpotDurationAvailability: Sendable, Equatable, Codable {
    public var meetingDurationMillis: Int64
    public var availabilities: [HubSpotSlot]

    public init(meetingDurationMillis: Int64, availabilities: [HubSpotSlot]) {
        self.meetingDurationMillis = meetingDurationMillis
        self.availabilities = availabilities
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        meetingDurationMillis = try c.decode(Int64.self, forKey: .meetingDurationMillis)
        availabilities = try c.decodeIfPresent([HubSpotSlot].self, forKey: .availabilities) ?? []
    }
}
