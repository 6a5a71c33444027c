import Foundation

/// The CRM records HubSpot keeps for bookings: one contact per e-mail address and one meeting per booking,
/// associated with the booker's contact.
///
/// HubSpot creates or updates the contact itself on every booking and logs the meeting on it (`hs_meeting_*`
/// properties). For the offline trap (the rep has no connected calendar) the sandbox assumes HubSpot still logs the
/// meeting on the contact but without a calendar event: `hs_unique_id`, where the sandbox keeps the calendar event
/// id, is then absent. See docs/hubspot-sandbox.md for what is taken from HubSpot's spec and what is assumed.
struct SandboxCRM: Sendable {
    struct Contact: Sendable {
        var id: String
        var email: String
        var firstName: String
        var lastName: String
        var createdAtMillis: Int64
        var updatedAtMillis: Int64
        /// Ids of the meetings logged on the contact, oldest first.
        var meetingIds: [String]
    }

    struct Meeting: Sendable {
        var id: String
        var contactId: String
        var startMillis: Int64
        var endMillis: Int64
        var title: String
        /// Empty when no calendar event exists (offline trap, empty-calendar-event fault).
        var calendarEventId: String
        var createdAtMillis: Int64

        /// The meeting's properties as HubSpot returns them: every value a string, date-times in ISO 8601.
        var properties: [String: String] {
            var properties = [
                "hs_object_id": self.id,
                "hs_createdate": SandboxTime.format(self.createdAtMillis),
                "hs_lastmodifieddate": SandboxTime.format(self.createdAtMillis),
                "hs_timestamp": SandboxTime.format(self.startMillis),
                "hs_meeting_start_time": SandboxTime.format(self.startMillis),
                "hs_meeting_end_time": SandboxTime.format(self.endMillis),
                "hs_meeting_title": self.title,
                "hs_meeting_source": "MEETINGS_PUBLIC",
                "hs_meeting_outcome": "SCHEDULED",
            ]
            if !self.calendarEventId.isEmpty { properties["hs_unique_id"] = self.calendarEventId }
            return properties
        }
    }

    private(set) var contacts: [Contact] = []
    private(set) var meetings: [Meeting] = []
    private var nextContactId = 90210
    private var nextMeetingId = 70_000_000_001

    /// The contact with this e-mail (case-insensitive), created or updated as HubSpot does on a booking.
    mutating func upsertContact(email: String, firstName: String, lastName: String, now: Int64) -> String {
        let key = email.lowercased()
        if let index = self.contacts.firstIndex(where: { $0.email.lowercased() == key }) {
            self.contacts[index].firstName = firstName
            self.contacts[index].lastName = lastName
            self.contacts[index].updatedAtMillis = now
            return self.contacts[index].id
        }
        let id = String(self.nextContactId)
        self.nextContactId += 1
        self.contacts.append(
            Contact(
                id: id, email: email, firstName: firstName, lastName: lastName, createdAtMillis: now,
                updatedAtMillis: now, meetingIds: []))
        return id
    }

    /// Logs a meeting on a contact and returns its id.
    @discardableResult
    mutating func logMeeting(
        contactId: String, startMillis: Int64, endMillis: Int64, title: String, calendarEventId: String, now: Int64
    ) -> String {
        let id = String(self.nextMeetingId)
        self.nextMeetingId += 1
        self.meetings.append(
            Meeting(
                id: id, contactId: contactId, startMillis: startMillis, endMillis: endMillis, title: title,
                calendarEventId: calendarEventId, createdAtMillis: now))
        if let index = self.contacts.firstIndex(where: { $0.id == contactId }) {
            self.contacts[index].meetingIds.append(id)
            self.contacts[index].updatedAtMillis = now
        }
        return id
    }

    /// A contact by its id, or by the unique property `idProperty` (only `email` and `hs_object_id` are unique).
    func contact(id: String, idProperty: String?) -> Result<Contact?, SandboxAPIError> {
        switch idProperty ?? "hs_object_id" {
        case "hs_object_id": return .success(self.contacts.first { $0.id == id })
        case "email": return .success(self.contacts.first { $0.email.lowercased() == id.lowercased() })
        case let other:
            return .failure(.validation("\(other) is not a unique property of contacts; use email or hs_object_id"))
        }
    }
}
