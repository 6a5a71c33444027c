/// Offered slots per duration; page forward with `monthOffset` while `hasMore`.
public struct HubSpotLinkAvailability: Sendable, Equatable, Codable {
    public var hasMore: Bool
    /// Keyed by the duration in milliseconds, as HubSpot keys it (a decimal string).
    public var linkAvailabilityByDuration: [String: HubSpotDurationAvailability]

    public init(hasMore: Bool, linkAvailabilityByDuration: [String: HubSpotDurationAvailability]) {
        self.hasMore = hasMore
        self.linkAvailabilityByDuration = linkAvailabilityByDuration
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        hasMore = try c.decodeIfPresent(Bool.self, forKey: .hasMore) ?? false
        linkAvailabilityByDuration =
            try c.decodeIfPresent([String: HubSpotDurationAvailability].self, forKey: .linkAvailabilityByDuration)
            ?? [:]
    }

    /// The offered durations, milliseconds, ascending.
    public var durations: [Int64] {
        linkAvailabilityByDuration.compactMap { key, value in Int64(key) ?? value.meetingDurationMillis }.sorted()
    }

    /// The slots offered for one duration (milliseconds), in start order.
    public func slots(durationMillis: Int64) -> [HubSpotSlot] {
        let entry =
            linkAvailabilityByDuration[String(durationMillis)]
            ?? linkAvailabilityByDuration.values.first { $0.meetingDurationMillis == durationMillis }
        return (entry?.availabilities ?? []).sorted { $0.startMillisUtc < $1.startMillisUtc }
    }
}
