extension SandboxWire {
    /// 200 from `GET .../book/{slug}?timezone=`.
    struct BookingInfo: Sendable, Encodable {
        var linkId: String
        var linkType: String
        var isOffline: Bool
        var allUsersBusyTimes: [UserBusyTimes]
        var customParams: CustomParams
        var linkAvailability: LinkAvailability?
    }

    /// 200 from `GET .../book/availability-page/{slug}?timezone=&monthOffset=`.
    struct AvailabilityPage: Sendable, Encodable {
        var allUsersBusyTimes: [UserBusyTimes]
        var linkAvailability: LinkAvailability
    }

    struct UserBusyTimes: Sendable, Encodable {
        var isOffline: Bool
        var busyTimes: [BusyTime]
        var meetingsUser: MeetingsUser
    }

    struct BusyTime: Sendable, Encodable {
        var start: Int64
        var end: Int64
    }

    struct MeetingsUser: Sendable, Encodable {
        var id: String
        var userId: String
        var calendarProvider: String
        var isSalesStarter = false
        var userProfile: UserProfile
    }

    struct UserProfile: Sendable, Encodable {
        var email: String
        var firstName: String
        var lastName: String
        var fullName: String
    }

    struct CustomParams: Sendable, Encodable {
        var durations: [Int64]
        var availability: [String: [MinuteSpan]]
        var meetingBufferTime: Int64
        var startTimeIncrementMinutes: String
        var ownerPrioritized = false
        var weeksToAdvertise: Int
        var legalConsentEnabled: Bool
        var legalConsentOptions: LegalConsentOptions
        var formFields: [FormField]
        var guestSettings: GuestSettings
        var locale: String
    }

    struct MinuteSpan: Sendable, Encodable {
        var start: Int
        var end: Int
    }

    /// Every key of the spec's `ExternalLegalConsentOptions` (`legitimateInterestLegalBasis` only when set).
    struct LegalConsentOptions: Sendable, Encodable {
        var processingConsentType: String
        var communicationConsentCheckboxes: [ConsentCheckbox]
        var communicationConsentText: String
        var privacyPolicyText: String
        var processingConsentText: String
        var processingConsentCheckboxLabel: String
        var processingConsentFooterText: String
        var isLegitimateInterest: Bool
        var legitimateInterestSubscriptionTypes: [Int64]
        var legitimateInterestLegalBasis: String?
    }

    struct ConsentCheckbox: Sendable, Encodable {
        var communicationTypeId: String
        var label: String
        var required: Bool
    }

    struct FormField: Sendable, Encodable {
        var name: String
        var label: String
        var fieldType: String
        var type: String
        var isRequired: Bool
        var isCustom: Bool
        var options: [Option]
    }

    /// The spec's `ExternalOption`, every key required.
    struct Option: Sendable, Encodable {
        var label: String
        var value: String
        var displayOrder: Int
        var hidden: Bool
        var description: String
        var readOnly: Bool
        var doubleData: Double
    }

    struct GuestSettings: Sendable, Encodable {
        var canAddGuests: Bool
        var maxGuestCount: Int
    }

    struct LinkAvailability: Sendable, Encodable {
        var hasMore: Bool
        var linkAvailabilityByDuration: [String: DurationAvailability]
    }

    struct DurationAvailability: Sendable, Encodable {
        var meetingDurationMillis: Int64
        var availabilities: [Slot]
    }

    struct Slot: Sendable, Encodable {
        var startMillisUtc: Int64
        var endMillisUtc: Int64
    }

    /// 200 from `GET .../meetings/meeting-links`.
    struct LinkList: Sendable, Encodable {
        var total: Int
        var results: [LinkSummary]
        var paging: Paging?
    }

    struct LinkSummary: Sendable, Encodable {
        var id: String
        var slug: String
        var link: String
        var name: String
        var type: String
        var organizerUserId: String
        var userIdsOfLinkMembers: [String]
        var defaultLink: Bool
        var createdAt: String
        var updatedAt: String?
    }

    struct Paging: Sendable, Encodable {
        var next: Next
    }

    /// HubSpot's `ForwardPaging.next`: the cursor, and (on CRM pages) the next page's URL.
    struct Next: Sendable, Encodable {
        var after: String
        var link: String? = nil
    }

    static func busyTimes(link: SandboxLink, busy: [String: [SandboxInterval]]) -> [UserBusyTimes] {
        link.members.map { member in
            UserBusyTimes(
                isOffline: member.isOffline,
                busyTimes: (busy[member.userId] ?? []).map { BusyTime(start: $0.start, end: $0.end) },
                meetingsUser: MeetingsUser(
                    id: member.meetingsUserId,
                    userId: member.userId,
                    calendarProvider: member.calendarProvider ?? "UNKNOWN",
                    userProfile: UserProfile(
                        email: member.email,
                        firstName: member.firstName,
                        lastName: member.lastName,
                        fullName: member.fullName
                    )
                )
            )
        }
    }

    static func customParams(link: SandboxLink) -> CustomParams {
        var availability: [String: [MinuteSpan]] = [:]
        for span in link.workingHours {
            availability[span.weekday.hubSpotName, default: []].append(
                MinuteSpan(start: span.startMinute, end: span.endMinute))
        }
        return CustomParams(
            durations: link.durationsMillis,
            availability: availability,
            meetingBufferTime: link.bufferMillis,
            startTimeIncrementMinutes: link.startTimeIncrementName,
            weeksToAdvertise: link.weeksToAdvertise,
            legalConsentEnabled: link.legalConsentEnabled,
            legalConsentOptions: LegalConsentOptions(
                processingConsentType: link.processingConsentType,
                communicationConsentCheckboxes: link.consentCheckboxes.map {
                    ConsentCheckbox(communicationTypeId: $0.communicationTypeId, label: $0.label, required: $0.required)
                },
                communicationConsentText: link.consentTexts.communicationConsentText,
                privacyPolicyText: link.consentTexts.privacyPolicyText,
                processingConsentText: link.consentTexts.processingConsentText,
                processingConsentCheckboxLabel: link.consentTexts.processingConsentCheckboxLabel,
                processingConsentFooterText: link.consentTexts.processingConsentFooterText,
                isLegitimateInterest: link.consentTexts.isLegitimateInterest,
                legitimateInterestSubscriptionTypes: link.consentTexts.legitimateInterestSubscriptionTypes,
                legitimateInterestLegalBasis: link.consentTexts.legitimateInterestLegalBasis
            ),
            formFields: link.formFields.map { field in
                FormField(
                    name: field.name, label: field.label, fieldType: field.fieldType, type: field.type,
                    isRequired: field.isRequired, isCustom: field.isCustom,
                    options: field.options.map {
                        Option(
                            label: $0.label, value: $0.value, displayOrder: $0.displayOrder, hidden: $0.hidden,
                            description: $0.description, readOnly: $0.readOnly, doubleData: $0.doubleData)
                    }
                )
            },
            guestSettings: GuestSettings(canAddGuests: link.canAddGuests, maxGuestCount: link.maxGuestCount),
            locale: link.locale
        )
    }

    static func linkAvailability(hasMore: Bool, slots: [Int64: [SandboxInterval]]) -> LinkAvailability {
        var byDuration: [String: DurationAvailability] = [:]
        for (duration, intervals) in slots {
            byDuration[String(duration)] = DurationAvailability(
                meetingDurationMillis: duration,
                availabilities: intervals.map { Slot(startMillisUtc: $0.start, endMillisUtc: $0.end) }
            )
        }
        return LinkAvailability(hasMore: hasMore, linkAvailabilityByDuration: byDuration)
    }

    static func summary(of link: SandboxLink) -> LinkSummary {
        LinkSummary(
            id: link.id, slug: link.slug, link: link.link, name: link.name, type: link.type.rawValue,
            organizerUserId: link.organizerUserId, userIdsOfLinkMembers: link.members.map(\.userId),
            defaultLink: false, createdAt: link.createdAt, updatedAt: link.updatedAt
        )
    }
}
