/// The HubSpot calls the client makes; used for paths, metrics labels and error classification.
public enum HubSpotEndpoint: String, Sendable, Hashable, CaseIterable {
    case book
    case bookingInfo = "booking_info"
    case availability
    case listLinks = "list_links"
    case token
    /// `GET /crm/objects/2026-03/contacts/{email}?idProperty=email&associations=meetings`.
    case crmContact = "crm_contact"
    /// `POST /crm/objects/2026-03/meetings/search`.
    case crmMeetingSearch = "crm_meeting_search"

    /// True when repeating the call cannot change anything at HubSpot (every call but `book`).
    public var isIdempotent: Bool { self != .book }
}
