/// The recognisable reasons HubSpot gives for refusing a booking (all permanent).
public enum HubSpotBookingRejection: String, Sendable, Hashable {
    case durationNotValid = "MEETING_DURATION_NOT_VALID"
    case startTimeNotValid = "MEETING_START_TIME_NOT_VALID"
    /// The slot is taken, possibly by our own earlier attempt whose answer was not seen.
    case timeNotAvailable = "MEETING_TIME_NOT_AVAILABLE"
    case missingRequiredFormField = "REQUIRED_FORM_FIELD"
    case invalidEmail = "INVALID_EMAIL"
    case invalidGuestEmails = "INVALID_EMAIL_GUESTS"
    case other = "OTHER"

    init(error: HubSpotError) {
        let codes = [error.subCategory, error.category] + error.errors.flatMap { [$0.subCategory, $0.code] }
        let clues = codes.compactMap { $0?.uppercased() }
        func has(_ code: String) -> Bool {
            clues.contains { $0 == code || $0.hasSuffix("." + code) }
        }
        let message = ([error.message] + error.errors.compactMap(\.message)).joined(separator: " ").lowercased()
        for candidate: HubSpotBookingRejection in [
            .durationNotValid, .startTimeNotValid, .timeNotAvailable, .invalidGuestEmails, .invalidEmail,
        ] where has(candidate.rawValue) {
            self = candidate
            return
        }
        if message.contains("required form field") {
            self = .missingRequiredFormField
        } else if message.contains("guest") && message.contains("email") {
            self = .invalidGuestEmails
        } else if message.contains("email") && (message.contains("invalid") || message.contains("not valid")) {
            self = .invalidEmail
        } else {
            self = .other
        }
    }
}
