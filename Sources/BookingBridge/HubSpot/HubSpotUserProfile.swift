public struct HubSpotUserProfile: Sendable, Equatable, Codable {
    public var email: String?
    public var firstName: String?
    public var lastName: String?
    public var fullName: String?
}
