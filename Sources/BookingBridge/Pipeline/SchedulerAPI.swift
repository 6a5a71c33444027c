/// The HubSpot calls the pipeline makes. `HubSpotClient` is the real one; errors are `HubSpotError`s.
public protocol SchedulerAPI: Sendable {
    func bookingInfo(slug: String, timezone: String) async throws -> HubSpotBookingInfo
    func availabilityPage(slug: String, timezone: String, monthOffset: Int) async throws -> HubSpotAvailabilityPage
    func book(_ request: HubSpotBookingRequest) async throws -> HubSpotBookingResponse
    /// The CRM contact with this e-mail and its meeting associations; `nil` when there is none.
    func crmContact(email: String) async throws -> HubSpotCRMObject?
    /// One page of a CRM meetings search.
    func searchMeetings(_ request: HubSpotCRMSearchRequest) async throws -> HubSpotCRMSearchPage
}
