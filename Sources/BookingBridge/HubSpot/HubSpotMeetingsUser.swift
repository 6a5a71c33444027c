/// A member of a meeting link. `userId` is the HubSpot user id (the one `likelyAvailableUserIds` takes); `id` is
/// the meetings-user id.
public struct HubSpotMeetingsUser: Sendable, Equatable, Codable {
    public var id: String
    public var userId: String?
    public var calendarProvider: String?
    public var userProfile: HubSpotUserProfile?

    public init(id: String, userId: String?, calendarProvider: String? = nil, userProfile: HubSpotUserProfile? = nil) {
        self.id = id
        self.userId = userId
        self.calendarProvider = calendarProvider
        self.userProfile = userProfile
    }
}
