/// HubSpot's answer to `GET /scheduler/2026-03/meetings/meeting-links/book/{slug}?timezone=`: what a booking
/// page needs to know about a meeting link.
public struct HubSpotBookingInfo: Sendable, Equatable, Codable {
    public var linkId: String
    /// `PERSONAL_LINK`, `GROUP_CALENDAR` or `ROUND_ROBIN_CALENDAR`.
    public var linkType: String
    public var isOffline: Bool
    public var allUsersBusyTimes: [HubSpotUserBusyTimes]
    public var customParams: HubSpotLinkParams
    public var linkAvailability: HubSpotLinkAvailability?

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        linkId = try c.decode(String.self, forKey: .linkId)
        linkType = try c.decode(String.self, forKey: .linkType)
        isOffline = try c.decodeIfPresent(Bool.self, forKey: .isOffline) ?? false
        allUsersBusyTimes = try c.decodeIfPresent([HubSpotUserBusyTimes].self, forKey: .allUsersBusyTimes) ?? []
        customParams = try c.decode(HubSpotLinkParams.self, forKey: .customParams)
        linkAvailability = try c.decodeIfPresent(HubSpotLinkAvailability.self, forKey: .linkAvailability)
    }
}

/// The busy times of one member of a link.
public struct HubSpotUserBusyTimes: Sendable, Equatable, Codable {
    public var busyTimes: [HubSpotBusyTime]
    public var isOffline: Bool
    public var meetingsUser: HubSpotMeetingsUser?

    public init(busyTimes: [HubSpotBusyTime], isOffline: Bool = false, meetingsUser: HubSpotMeetingsUser? = nil) {
        self.busyTimes = busyTimes
        self.isOffline = isOffline
        self.meetingsUser = meetingsUser
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        busyTimes = try c.decodeIfPresent([HubSpotBusyTime].self, forKey: .busyTimes) ?? []
        isOffline = try c.decodeIfPresent(Bool.self, forKey: .isOffline) ?? false
        meetingsUser = try c.decodeIfPresent(HubSpotMeetingsUser.self, forKey: .meetingsUser)
    }
}

/// A busy interval, epoch milliseconds.
public struct HubSpotBusyTime: Sendable, Equatable, Codable {
    public var start: Int64
    public var end: Int64

    public init(start: Int64, end: Int64) {
        self.start = start
        self.end = end
    }
}

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

public struct HubSpotUserProfile: Sendable, Equatable, Codable {
    public var email: String?
    public var firstName: String?
    public var lastName: String?
    public var fullName: String?
}

/// The link's settings (`customParams`): durations, form, consent, buffers, guests.
public struct HubSpotLinkParams: Sendable, Equatable, Codable {
    /// Offered meeting lengths, milliseconds.
    public var durations: [Int64]
    public var formFields: [HubSpotFormFieldDefinition]
    public var legalConsentEnabled: Bool
    public var legalConsentOptions: HubSpotLegalConsentOptions?
    /// Milliseconds kept free around meetings.
    public var meetingBufferTime: Int64?
    /// `FIVE` ... `SIXTY` or `MEETING_DURATION`.
    public var startTimeIncrementMinutes: String?
    public var guestSettings: HubSpotGuestSettings?
    public var ownerPrioritized: Bool?
    public var weeksToAdvertise: Int?
    public var locale: String?
    public var redirectUrl: String?

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        durations = try c.decodeIfPresent([Int64].self, forKey: .durations) ?? []
        formFields = try c.decodeIfPresent([HubSpotFormFieldDefinition].self, forKey: .formFields) ?? []
        legalConsentEnabled = try c.decodeIfPresent(Bool.self, forKey: .legalConsentEnabled) ?? false
        legalConsentOptions = try c.decodeIfPresent(HubSpotLegalConsentOptions.self, forKey: .legalConsentOptions)
        meetingBufferTime = try c.decodeIfPresent(Int64.self, forKey: .meetingBufferTime)
        startTimeIncrementMinutes = try c.decodeIfPresent(String.self, forKey: .startTimeIncrementMinutes)
        guestSettings = try c.decodeIfPresent(HubSpotGuestSettings.self, forKey: .guestSettings)
        ownerPrioritized = try c.decodeIfPresent(Bool.self, forKey: .ownerPrioritized)
        weeksToAdvertise = try c.decodeIfPresent(Int.self, forKey: .weeksToAdvertise)
        locale = try c.decodeIfPresent(String.self, forKey: .locale)
        redirectUrl = try c.decodeIfPresent(String.self, forKey: .redirectUrl)
    }
}

/// A field of the link's booking form.
public struct HubSpotFormFieldDefinition: Sendable, Equatable, Codable {
    public var name: String
    public var label: String?
    public var fieldType: String?
    public var type: String?
    public var isRequired: Bool
    public var isCustom: Bool
    public var options: [HubSpotFormFieldOption]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        label = try c.decodeIfPresent(String.self, forKey: .label)
        fieldType = try c.decodeIfPresent(String.self, forKey: .fieldType)
        type = try c.decodeIfPresent(String.self, forKey: .type)
        isRequired = try c.decodeIfPresent(Bool.self, forKey: .isRequired) ?? false
        isCustom = try c.decodeIfPresent(Bool.self, forKey: .isCustom) ?? false
        options = try c.decodeIfPresent([HubSpotFormFieldOption].self, forKey: .options) ?? []
    }
}

/// A choice of an enumerated form field.
public struct HubSpotFormFieldOption: Sendable, Equatable, Codable {
    public var label: String?
    public var value: String?
    /// Where the choice goes in the list (lowest first).
    public var displayOrder: Int?
    /// A hidden choice is not offered to visitors.
    public var hidden: Bool?
}

/// How the link asks for consent.
public struct HubSpotLegalConsentOptions: Sendable, Equatable, Codable {
    /// `IMPLICIT` or `REQUIRED_CHECKBOX`.
    public var processingConsentType: String?
    public var communicationConsentCheckboxes: [HubSpotConsentCheckbox]
    /// The texts HubSpot shows with the consent block: above the checkboxes, the privacy note, the processing
    /// consent text, its checkbox's label (`REQUIRED_CHECKBOX`) and the note below the form (`IMPLICIT`).
    public var communicationConsentText: String?
    public var privacyPolicyText: String?
    public var processingConsentText: String?
    public var processingConsentCheckboxLabel: String?
    public var processingConsentFooterText: String?

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        processingConsentType = try c.decodeIfPresent(String.self, forKey: .processingConsentType)
        communicationConsentCheckboxes =
            try c.decodeIfPresent([HubSpotConsentCheckbox].self, forKey: .communicationConsentCheckboxes) ?? []
        communicationConsentText = try c.decodeIfPresent(String.self, forKey: .communicationConsentText)
        privacyPolicyText = try c.decodeIfPresent(String.self, forKey: .privacyPolicyText)
        processingConsentText = try c.decodeIfPresent(String.self, forKey: .processingConsentText)
        processingConsentCheckboxLabel = try c.decodeIfPresent(String.self, forKey: .processingConsentCheckboxLabel)
        processingConsentFooterText = try c.decodeIfPresent(String.self, forKey: .processingConsentFooterText)
    }
}

/// One consent checkbox; each must be answered in `legalConsentResponses` when consent is enabled.
public struct HubSpotConsentCheckbox: Sendable, Equatable, Codable {
    public var communicationTypeId: String
    public var label: String?
    public var required: Bool

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        communicationTypeId = try c.decode(String.self, forKey: .communicationTypeId)
        label = try c.decodeIfPresent(String.self, forKey: .label)
        required = try c.decodeIfPresent(Bool.self, forKey: .required) ?? false
    }
}

public struct HubSpotGuestSettings: Sendable, Equatable, Codable {
    public var canAddGuests: Bool
    public var maxGuestCount: Int?
}
