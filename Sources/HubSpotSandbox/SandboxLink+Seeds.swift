/// Names of the sandbox's seeded links and users, for tests and scripts.
///
/// Seeded links (every link: 15 minutes minimum notice, 4 weeks advertised, working hours in the link's zone):
///
/// | slug | id | type | zone | hours | durations | grid | extras |
/// |---|---|---|---|---|---|---|---|
/// | `jane-doe/intro-30` | 48213 | PERSONAL_LINK, Jane Doe (5521) | Europe/London | Mon-Fri 09:00-17:00 | 15, 30, 60 min | 15 min | optional custom field `company`, optional consent `1234567`, no guests |
/// | `sales/discovery` | 48214 | ROUND_ROBIN_CALENDAR: Jane Doe (5521), Sam Lee (5522), Alex Kim (5523, **no calendar**) | America/New_York | Mon-Fri 09:00-17:00 | 30, 60 min | 30 min | optional choice field `team_size` (options `1_10`, `11_50`, `51_plus`), no guests |
/// | `support/onboarding` | 48215 | PERSONAL_LINK, Priya Patel (5524) | Europe/Berlin | Mon-Fri 10:00-16:00 | 45 min | meeting length | **required** custom field `account_id`, optional choice (radio) field `topic` (options `setup`, `billing`, `api`), **required** consent `7654321` and processing consent by checkbox, up to 2 guests, 15 min buffer |
///
/// Jane and Sam have a standing team sync every Wednesday 12:00-13:00 America/New_York (busy in their calendars).
///
/// Round-robin assignment (`sales/discovery`): of the reps free for the whole slot, keep those named in
/// `likelyAvailableUserIds` if it names any; of those, the rep with the fewest bookings on this link since start or
/// reset wins, ties going to pool order (5521, 5522, 5523). A booking assigned to Alex (5523) hits HubSpot's offline
/// trap: 200 with `isOffline: true` and `calendarEventId: ""`. Three deterministic ways to hit it:
/// 1. send `likelyAvailableUserIds: ["5523"]`;
/// 2. after a reset, book one slot three times with `likelyAvailableUserIds: []`: Jane, Sam, then Alex (a fourth
///    attempt gets `MEETING_TIME_NOT_AVAILABLE`);
/// 3. book any slot overlapping Wednesday 12:00-13:00 New York time, when only Alex is free.
public enum SandboxSeeds {
    /// Personal link of Jane Doe.
    public static let personalLinkSlug = "jane-doe/intro-30"
    /// Round-robin link with the offline rep.
    public static let roundRobinLinkSlug = "sales/discovery"
    /// Personal link with a required custom form field and a required consent checkbox.
    public static let formLinkSlug = "support/onboarding"
    /// User id of Jane Doe (owner of the personal link, first in the round-robin pool).
    public static let janeUserId = "5521"
    /// User id of Sam Lee (second in the round-robin pool).
    public static let samUserId = "5522"
    /// User id of Alex Kim, the round-robin rep without a connected calendar.
    public static let offlineUserId = "5523"
    /// Optional choice (select) field of ``roundRobinLinkSlug``, with options `1_10`, `11_50` and `51_plus`.
    public static let choiceFormField = "team_size"
    /// Optional choice (radio) field of ``formLinkSlug``, with options `setup`, `billing` and `api`.
    public static let radioFormField = "topic"
    /// Required custom form field of ``formLinkSlug``.
    public static let requiredFormField = "account_id"
    /// Required consent checkbox (`communicationTypeId`) of ``formLinkSlug``.
    public static let requiredConsentTypeId = "7654321"
    /// Optional consent checkbox of ``personalLinkSlug``.
    public static let optionalConsentTypeId = "1234567"

    /// Markdown description of the seeded links, for the README and `bookingbridge sandbox --help`.
    public static let description = """
        Seeded links (15 min minimum notice, 4 weeks advertised, hours in the link's time zone):
        - `jane-doe/intro-30` (id 48213, PERSONAL_LINK, Jane Doe 5521): Europe/London, Mon-Fri 09:00-17:00,
          15/30/60 min on a 15 min grid; optional field `company`, optional consent 1234567; no guests.
        - `sales/discovery` (id 48214, ROUND_ROBIN_CALENDAR): Jane Doe 5521, Sam Lee 5522 and Alex Kim 5523, who has
          no connected calendar (calendarProvider UNKNOWN); America/New_York, Mon-Fri 09:00-17:00, 30/60 min on a
          30 min grid; optional choice field `team_size` (options 1_10, 11_50, 51_plus); no guests.
          Jane and Sam are busy every Wednesday 12:00-13:00 New York time.
        - `support/onboarding` (id 48215, PERSONAL_LINK, Priya Patel 5524): Europe/Berlin, Mon-Fri 10:00-16:00,
          45 min back to back with a 15 min buffer; required field `account_id`, optional choice (radio) field
          `topic` (options setup, billing, api), required consent 7654321, processing consent by checkbox; up to 2
          guests.
        Round robin: of the free reps, those in likelyAvailableUserIds if any, then the fewest bookings on the link,
        ties in pool order. The offline trap (isOffline true, calendarEventId "") happens whenever Alex (5523) is
        assigned: send likelyAvailableUserIds ["5523"], or book one slot three times after a reset (Jane, Sam, Alex),
        or book a slot overlapping Wednesday 12:00-13:00 New York time.
        """
}

extension SandboxLink {
    static let jane = SandboxUser(
        meetingsUserId: "771", userId: SandboxSeeds.janeUserId, email: "jane@company.dev", firstName: "Jane",
        lastName: "Doe", calendarProvider: "GOOGLE", recurringBusy: [teamSync], timeZone: "America/New_York"
    )
    static let sam = SandboxUser(
        meetingsUserId: "772", userId: SandboxSeeds.samUserId, email: "sam@company.dev", firstName: "Sam",
        lastName: "Lee", calendarProvider: "OFFICE365", recurringBusy: [teamSync], timeZone: "America/New_York"
    )
    static let alex = SandboxUser(
        meetingsUserId: "773", userId: SandboxSeeds.offlineUserId, email: "alex@company.dev", firstName: "Alex",
        lastName: "Kim", calendarProvider: nil
    )
    static let priya = SandboxUser(
        meetingsUserId: "774", userId: "5524", email: "priya@company.dev", firstName: "Priya", lastName: "Patel",
        calendarProvider: "GOOGLE"
    )
    private static let teamSync = SandboxWeeklyHours(weekday: .wednesday, startMinute: 12 * 60, endMinute: 13 * 60)

    /// The links every sandbox starts with, ordered by id.
    static let seeded: [SandboxLink] = [
        SandboxLink(
            id: "48213", slug: SandboxSeeds.personalLinkSlug, name: "Intro call", type: .personal,
            organizerUserId: jane.userId, members: [jane], timeZone: "Europe/London",
            durationsMillis: [900_000, 1_800_000, 3_600_000],
            workingHours: SandboxWeeklyHours.workweek(from: 9 * 60, to: 17 * 60),
            incrementMinutes: 15,
            formFields: SandboxFormField.standard + [
                .init(name: "company", label: "Company", isRequired: false, isCustom: true)
            ],
            legalConsentEnabled: true,
            consentCheckboxes: [
                .init(
                    communicationTypeId: SandboxSeeds.optionalConsentTypeId, label: "Send me product news",
                    required: false)
            ],
            canAddGuests: false, maxGuestCount: 0, locale: "en-gb",
            createdAt: "2026-01-12T09:00:00Z", updatedAt: "2026-10-02T11:20:00Z"
        ),
        SandboxLink(
            id: "48214", slug: SandboxSeeds.roundRobinLinkSlug, name: "Discovery call", type: .roundRobin,
            organizerUserId: jane.userId, members: [jane, sam, alex], timeZone: "America/New_York",
            durationsMillis: [1_800_000, 3_600_000],
            workingHours: SandboxWeeklyHours.workweek(from: 9 * 60, to: 17 * 60),
            incrementMinutes: 30,
            formFields: SandboxFormField.standard + [
                .init(
                    name: SandboxSeeds.choiceFormField, label: "Team size", fieldType: "select",
                    type: "enumeration", isRequired: false, isCustom: true,
                    options: [
                        .init(label: "1-10", value: "1_10", displayOrder: 0),
                        .init(label: "11-50", value: "11_50", displayOrder: 1),
                        .init(label: "51 or more", value: "51_plus", displayOrder: 2),
                    ])
            ],
            legalConsentEnabled: false,
            consentCheckboxes: [], canAddGuests: false, maxGuestCount: 0, locale: "en-us",
            createdAt: "2026-02-01T09:00:00Z"
        ),
        SandboxLink(
            id: "48215", slug: SandboxSeeds.formLinkSlug, name: "Onboarding session", type: .personal,
            organizerUserId: priya.userId, members: [priya], timeZone: "Europe/Berlin",
            durationsMillis: [2_700_000], workingHours: SandboxWeeklyHours.workweek(from: 10 * 60, to: 16 * 60),
            incrementMinutes: nil, bufferMillis: 900_000,
            formFields: SandboxFormField.standard + [
                .init(name: SandboxSeeds.requiredFormField, label: "Account ID", isRequired: true, isCustom: true),
                .init(
                    name: SandboxSeeds.radioFormField, label: "Topic", fieldType: "radio", type: "enumeration",
                    isRequired: false, isCustom: true,
                    options: [
                        .init(label: "Billing", value: "billing", displayOrder: 1),
                        .init(label: "Setup", value: "setup", displayOrder: 0),
                        .init(label: "API access", value: "api", displayOrder: 2),
                        .init(label: "Retired plan", value: "legacy", displayOrder: 3, hidden: true),
                    ]),
            ],
            legalConsentEnabled: true, processingConsentType: "REQUIRED_CHECKBOX",
            consentCheckboxes: [
                .init(
                    communicationTypeId: SandboxSeeds.requiredConsentTypeId,
                    label: "I agree to receive onboarding e-mails", required: true)
            ],
            canAddGuests: true, maxGuestCount: 2, locale: "en-gb",
            createdAt: "2026-03-02T08:30:00Z", updatedAt: "2026-09-14T16:05:00Z"
        ),
    ]
}
