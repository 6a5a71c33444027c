/// The HubSpot calls the pipeline makes. `HubSpotClient` is the real one; errors are `HubSpotError`s.
public protocol SchedulerAPI: Sendable {
    func bookingInfo(slug: String, timezone: String) async throws -> HubSpotBookingInfo
    func availabilityPage(slug: String, timezone: String, monthOffset: Int) async throws -> HubSpotAvailabilityPage
    func book(_ request: HubSpotBookingRequest) async throws -> HubSpotBookingResponse
}
