import Foundation

extension BookingEventData.Booking {
    init(_ response: HubSpotBookingResponse) {
        calendarEventId = response.calendarEventId
        contactId = response.contactId
        start = Date(timeIntervalSince1970: Double(response.startMillis) / 1000)
        end = Date(timeIntervalSince1970: Double(response.endMillis) / 1000)
        durationMinutes = Int(response.durationMillis / 60_000)
        subject = response.subject
        bookingTimezone = response.bookingTimezone
        isOffline = response.isOffline
        location = response.location
        webConferenceUrl = response.webConferenceUrl
        resolvedBy = nil
        meetingId = nil
    }
}

extension IntentStatus {
    /// The event an intent ending in this status sends.
    var eventType: String? {
        switch self {
        case .booked: WebhookEventType.bookingConfirmed
        case .offline: WebhookEventType.bookingOffline
        case .failed, .rejected: WebhookEventType.bookingFailed
        case .needsReview: WebhookEventType.bookingNeedsReview
        case .received, .retrying, .spam: nil
        }
    }
}
