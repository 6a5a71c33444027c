/// One example event of each type, as stored (the bodies docs/webhooks.md shows): templates are checked against
/// them when a subscription is created or changed, and the chat formats' tests render them.
///
/// The needs-review guest's name holds a quote, a backslash and a line break, so a template that would let such
/// a value break its JSON is refused before any real submission does it.
public enum WebhookSampleEvents {
    public static let bookingConfirmed = #"""
        {"type":"booking.confirmed","timestamp":"2026-05-04T09:30:02.114Z","data":{"attempts":1,"booking":{"bookingTimezone":"Europe/London","calendarEventId":"AAMkAGI2TG93AAA=","contactId":"10401","durationMinutes":30,"end":"2026-05-06T14:30:00.000Z","isOffline":false,"location":"Zoom","start":"2026-05-06T14:00:00.000Z","subject":"Intro call","webConferenceUrl":"https://zoom.us/j/123"},"durationMinutes":30,"email":"ada@example.com","firstName":"Ada","intentId":"5e0c9d4b-3c1a-4f6b-9e61-2b8f0c7a1d22","lastName":"Lovelace","rep":{"email":"jane.doe@example.com","name":"Jane Doe","userId":"5521"},"slug":"sales-intro","source":"web","startTime":"2026-05-06T14:00:00.000Z","status":"booked","timezone":"Europe/London"}}
        """#

    public static let bookingOffline = #"""
        {"type":"booking.offline","timestamp":"2026-05-04T09:31:10.009Z","data":{"attempts":1,"booking":{"bookingTimezone":"Europe/London","calendarEventId":"","contactId":"10402","durationMinutes":30,"end":"2026-05-06T15:30:00.000Z","isOffline":true,"start":"2026-05-06T15:00:00.000Z","subject":"Intro call"},"durationMinutes":30,"email":"grace@example.com","firstName":"Grace","intentId":"0f8e3a52-71d4-4c0b-8a3e-55d1b0c9e7f1","lastName":"Hopper","rep":{"email":"jane.doe@example.com","name":"Jane Doe","userId":"5521"},"slug":"sales-intro","source":"web","startTime":"2026-05-06T15:00:00.000Z","status":"offline","timezone":"Europe/London"}}
        """#

    public static let bookingFailed = #"""
        {"type":"booking.failed","timestamp":"2026-05-04T09:32:44.530Z","data":{"attempts":1,"durationMinutes":30,"email":"alan@example.com","firstName":"Alan","intentId":"9b2d7c10-4e8a-4f3b-a1c2-6d5e4f3a2b1c","lastName":"Turing","rep":{"email":"jane.doe@example.com","name":"Jane Doe","userId":"5521"},"reason":{"category":"VALIDATION_ERROR","correlationId":"aa2b3c4d-1111-2222-3333-444455556666","httpStatus":400,"message":"The requested time is not available","origin":"hubspot","subCategory":"MeetingsBookingError.TIME_NOT_AVAILABLE","suggestedStartTimes":["2026-05-06T16:00:00.000Z","2026-05-06T16:30:00.000Z"]},"slug":"sales-intro","source":"web","startTime":"2026-05-06T14:00:00.000Z","status":"failed","timezone":"Europe/London"}}
        """#

    public static let bookingNeedsReview = #"""
        {"type":"booking.needs_review","timestamp":"2026-05-04T09:35:00.000Z","data":{"attempts":2,"durationMinutes":30,"email":"edsger@example.com","firstName":"Edsger \"E.W.\"","intentId":"c4a1b2d3-e5f6-4789-8abc-def012345678","lastName":"Dijkstra \\ Eindhoven\nNL","reason":{"message":"the booking call timed out and the slot is no longer offered; it may have been booked","origin":"network"},"slug":"sales-intro","source":"rr","startTime":"2026-05-06T14:00:00.000Z","status":"needs_review","timezone":"America/New_York"}}
        """#

    public static let subscriptionDisabled = #"""
        {"type":"subscription.disabled","timestamp":"2026-05-09T10:00:00.000Z","data":{"disabledAt":"2026-05-09T10:00:00.000Z","failingSince":"2026-05-04T09:59:58.120Z","lastStatusCode":502,"reason":"failing","subscriptionId":"3f1c2a9e-5b7d-4e2f-9a0b-1c2d3e4f5a6b","url":"https://crm.example.com/hooks/bookings"}}
        """#

    /// The example of `type`, or `nil` for a type the bridge does not send.
    public static func body(for type: String) -> String? {
        switch type {
        case WebhookEventType.bookingConfirmed: bookingConfirmed
        case WebhookEventType.bookingOffline: bookingOffline
        case WebhookEventType.bookingFailed: bookingFailed
        case WebhookEventType.bookingNeedsReview: bookingNeedsReview
        case WebhookEventType.subscriptionDisabled: subscriptionDisabled
        default: nil
        }
    }
}
