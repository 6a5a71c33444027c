/// A half-open span of time in epoch milliseconds.
struct SandboxInterval: Sendable, Equatable, Hashable {
    var start: Int64
    var end: Int64

    /// Whether the two spans overlap once each side of `self` is widened by `padding`.
    func overlaps(_ other: SandboxInterval, padding: Int64 = 0) -> Bool {
        self.start - padding < other.end && other.start < self.end + padding
    }
}

/// Days of the week, numbered like Foundation's `Calendar` (Sunday = 1).
enum SandboxWeekday: Int, Sendable, CaseIterable {
    case sunday = 1, monday, tuesday, wednesday, thursday, friday, saturday

    /// HubSpot's spelling in `customParams.availability`.
    var hubSpotName: String {
        switch self {
        case .sunday: "SUNDAY"
        case .monday: "MONDAY"
        case .tuesday: "TUESDAY"
        case .wednesday: "WEDNESDAY"
        case .thursday: "THURSDAY"
        case .friday: "FRIDAY"
        case .saturday: "SATURDAY"
        }
    }

    static let workweek: [SandboxWeekday] = [.monday, .tuesday, .wednesday, .thursday, .friday]
}

/// A weekly recurring span in local time: working hours or a standing calendar event.
struct SandboxWeeklyHours: Sendable, Equatable {
    var weekday: SandboxWeekday
    /// Minutes after local midnight.
    var startMinute: Int
    /// Minutes after local midnight, at most 1440.
    var endMinute: Int

    static func workweek(from startMinute: Int, to endMinute: Int) -> [SandboxWeeklyHours] {
        SandboxWeekday.workweek.map { .init(weekday: $0, startMinute: startMinute, endMinute: endMinute) }
    }
}

/// A HubSpot user who can be booked.
struct SandboxUser: Sendable, Equatable {
    /// Meetings-user id (`meetingsUser.id`).
    var meetingsUserId: String
    /// HubSpot user id (`meetingsUser.userId`, what `likelyAvailableUserIds` names).
    var userId: String
    var email: String
    var firstName: String
    var lastName: String
    /// `EXCHANGE`, `GOOGLE` or `OFFICE365`, or `nil` when no calendar is connected (the offline trap; HubSpot then
    /// says `UNKNOWN`).
    var calendarProvider: String?
    /// Standing busy time in the user's calendar.
    var recurringBusy: [SandboxWeeklyHours] = []
    /// Zone of ``recurringBusy``.
    var timeZone: String = "UTC"

    var isOffline: Bool { self.calendarProvider == nil }
    var fullName: String { "\(self.firstName) \(self.lastName)" }
}

/// A form field of a meeting link.
struct SandboxFormField: Sendable, Equatable {
    var name: String
    var label: String
    var fieldType: String = "text"
    var type: String = "string"
    var isRequired: Bool
    var isCustom: Bool
    /// The choices of a select, radio or checkbox field.
    var options: [SandboxFieldOption] = []

    static let standard: [SandboxFormField] = [
        .init(name: "firstname", label: "First name", isRequired: true, isCustom: false),
        .init(name: "lastname", label: "Last name", isRequired: true, isCustom: false),
        .init(name: "email", label: "Email", isRequired: true, isCustom: false),
    ]
}

/// One choice of a form field, with every key of the spec's `ExternalOption`.
struct SandboxFieldOption: Sendable, Equatable {
    var label: String
    var value: String
    var displayOrder: Int
    var hidden = false
    var description = ""
    var readOnly = false
    var doubleData: Double = 0
}

/// The texts of a link's legal consent block (the spec's `ExternalLegalConsentOptions`, less the checkboxes and
/// the processing consent type, which ``SandboxLink`` keeps apart).
struct SandboxConsentTexts: Sendable, Equatable {
    var communicationConsentText =
        "We would like to contact you about our products and services. Please tick the boxes you agree to:"
    var privacyPolicyText = "You can unsubscribe at any time. See our privacy policy."
    var processingConsentText = "To provide the meeting you asked for, we need to store and process your details."
    var processingConsentCheckboxLabel = "I agree to allow this company to store and process my personal data."
    var processingConsentFooterText = "By clicking submit, you agree to the storage and processing of your data."
    var isLegitimateInterest = false
    var legitimateInterestSubscriptionTypes: [Int64] = []
    var legitimateInterestLegalBasis: String?
}

/// A communication consent checkbox of a meeting link.
struct SandboxConsentCheckbox: Sendable, Equatable {
    var communicationTypeId: String
    var label: String
    var required: Bool
}

/// HubSpot's meeting link types.
enum SandboxLinkType: String, Sendable {
    case personal = "PERSONAL_LINK"
    case group = "GROUP_CALENDAR"
    case roundRobin = "ROUND_ROBIN_CALENDAR"
}

/// A meeting link the sandbox serves.
struct SandboxLink: Sendable {
    var id: String
    var slug: String
    var name: String
    var type: SandboxLinkType
    var organizerUserId: String
    /// The owner (personal link) or the pool (team links), in rotation order.
    var members: [SandboxUser]
    /// IANA zone of the working hours.
    var timeZone: String
    var durationsMillis: [Int64]
    var workingHours: [SandboxWeeklyHours]
    /// Start-time grid step in minutes; `nil` means HubSpot's `MEETING_DURATION` (step = meeting length).
    var incrementMinutes: Int?
    var bufferMillis: Int64 = 0
    var minimumNoticeMillis: Int64 = 15 * 60_000
    var weeksToAdvertise: Int = 4
    var formFields: [SandboxFormField]
    var legalConsentEnabled: Bool
    var processingConsentType: String = "IMPLICIT"
    var consentCheckboxes: [SandboxConsentCheckbox]
    var consentTexts = SandboxConsentTexts()
    var canAddGuests: Bool
    var maxGuestCount: Int
    var locale: String
    var location: String = "Video call"
    var createdAt: String
    var updatedAt: String?

    /// Grid step for a meeting of `durationMillis`.
    func incrementMillis(forDuration durationMillis: Int64) -> Int64 {
        self.incrementMinutes.map { Int64($0) * 60_000 } ?? durationMillis
    }

    /// HubSpot's enum for the grid step (`FIFTEEN`, `THIRTY`, ..., `MEETING_DURATION`).
    var startTimeIncrementName: String {
        switch self.incrementMinutes {
        case nil: "MEETING_DURATION"
        case 5: "FIVE"
        case 10: "TEN"
        case 15: "FIFTEEN"
        case 20: "TWENTY"
        case 30: "THIRTY"
        case 45: "FORTY_FIVE"
        case 60: "SIXTY"
        case let other?: "\(other)"
        }
    }

    /// Public link address, as HubSpot lists it.
    var link: String { "https://meetings.hubspot.com/\(self.slug)" }

    /// Subject of a booked meeting.
    func subject(firstName: String, lastName: String) -> String {
        guard self.type == .personal, let owner = self.members.first else { return self.name }
        return "\(self.name): \(firstName) \(lastName) and \(owner.fullName)"
    }
}
