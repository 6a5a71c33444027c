import Foundation

/// The booking fields a source's `fields` map may rename; each falls back to a form field of the same name.
enum BookingField: String, CaseIterable, Sendable {
    case email, firstName, lastName, fullName, startTime, date, time, timezone, durationMinutes, guestEmails, locale
}
