public struct HubSpotGuestSettings: Sendable, Equatable, Codable {
    public var canAddGuests: Bool
    public var maxGuestCount: Int?
}
