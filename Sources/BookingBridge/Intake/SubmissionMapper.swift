import Foundation

/// Turns a submission's fields into a `BookingRequest` as a source describes it, or says which of the form's own
/// fields are wrong. Pure: the clock is a parameter.
struct SubmissionMapper: Sendable {
    /// Longest field name and value accepted, in UTF-8 bytes.
    static let maximumNameBytes = 200
    static let maximumValueBytes = 10_000
    /// Longest first or last name, in characters.
    static let maximumPersonNameLength = 200
    static let maximumGuests = 10
    static let maximumDurationMinutes = 24 * 60
    /// How far ahead a start time may lie.
    static let horizon: TimeInterval = 2 * 366 * 86_400

    /// A source with a booking page also reads the link's form fields the source does not map as
    /// `formField.<HubSpot name>` and its consent checkboxes as `consent.<communicationTypeId>`: the page shows
    /// every field and checkbox of the link under these names. The booking check passes on only what the link has.
    static let pageFormFieldPrefix = "formField."
    static let pageConsentPrefix = "consent."

    var source: SourceConfiguration

    init(source: SourceConfiguration) { self.source = source }

    /// Every field name the source reads: the booking fields, `formFields` and `consent` (for `json` sources,
    /// the paths to resolve).
    var references: [String] {
        var names =
            BookingField.allCases.map(formName) + source.formFields.values.sorted() + source.consent.keys.sorted()
        var seen = Set<String>()
        names.removeAll { !seen.insert($0).inserted }
        return names
    }

    /// What can be kept of a submission that cannot be booked (stored as a `rejected` intent): the source's
    /// defaults and the fields as sent, where a field is missing or wrong a placeholder (`now` for the start).
    func partialRequest(_ fields: [String: String], now: Date) -> BookingRequest {
        func value(_ field: BookingField) -> String? {
            Self.text(fields[formName(field)]).map { String($0.prefix(200)) }
        }
        let split = value(.fullName).map(Self.splitFullName)
        return BookingRequest(
            slug: source.slug, startTime: now, durationMinutes: source.durationMinutes ?? 0,
            email: value(.email) ?? "", firstName: value(.firstName) ?? split?.first ?? "",
            lastName: value(.lastName) ?? split?.last ?? "-", timezone: source.timezone ?? "UTC", locale: source.locale)
    }

    /// The form's name for a booking field.
    func formName(_ field: BookingField) -> String { source.fields[field.rawValue] ?? field.rawValue }

    /// Checks every field for what PostgreSQL and HubSpot cannot take: NUL characters and oversized names or values.
    static func checkRawFields(_ fields: [String: String]) throws(IntakeError) {
        var errors: [ProblemFieldError] = []
        for (name, value) in fields {
            if name.utf8.count <= maximumNameBytes, value.utf8.count <= maximumValueBytes, !name.utf8.contains(0),
                !value.utf8.contains(0)
            {
                continue
            }
            let shown = name.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}")
            if name.utf8.contains(0) || value.utf8.contains(0) {
                errors.append(.init(field: shown, message: "must not contain NUL characters"))
            } else if name.utf8.count > maximumNameBytes {
                errors.append(
                    .init(
                        field: String(shown.prefix(40)) + "…",
                        message: "field names may be at most \(maximumNameBytes) bytes long"))
            } else if value.utf8.count > maximumValueBytes {
                errors.append(.init(field: shown, message: "must be at most \(maximumValueBytes) bytes long"))
            }
        }
        guard errors.isEmpty else {
            throw IntakeError(
                .invalid, "the submission has invalid fields", fieldErrors: errors.sorted { $0.field < $1.field })
        }
    }

    /// The booking request, or `.invalid` listing every failing field by the form's name.
    func map(_ fields: [String: String], now: Date) throws(IntakeError) -> BookingRequest {
        try Self.checkRawFields(fields)
        var errors: [ProblemFieldError] = []
        func fail(_ field: BookingField, _ message: String) {
            let name = formName(field)
            if !errors.contains(where: { $0.field == name }) { errors.append(.init(field: name, message: message)) }
        }
        func value(_ field: BookingField) -> String? { Self.text(fields[formName(field)]) }

        let email = value(.email)
        if let email {
            if !EmailSyntax.isValid(email) { fail(.email, "must be an e-mail address such as name@example.org") }
        } else {
            fail(.email, "is required")
        }

        var firstName = value(.firstName)
        var lastName = value(.lastName)
        if firstName == nil, let fullName = value(.fullName) {
            let split = Self.splitFullName(fullName)
            firstName = split.first
            lastName = lastName ?? split.last
        }
        if let first = firstName {
            if Self.isLonger(first, than: Self.maximumPersonNameLength) {
                fail(
                    value(.firstName) == nil ? .fullName : .firstName,
                    "must be at most \(Self.maximumPersonNameLength) characters long")
            }
        } else {
            fail(
                source.fields[BookingField.fullName.rawValue] != nil
                    && source.fields[BookingField.firstName.rawValue] == nil
                    ? .fullName : .firstName, "is required")
        }
        if let last = lastName, Self.isLonger(last, than: Self.maximumPersonNameLength) {
            fail(
                value(.lastName) == nil ? .fullName : .lastName,
                "must be at most \(Self.maximumPersonNameLength) characters long")
        }

        let (zone, zoneID) = readZone(value(.timezone), fail: fail)

        let start = readStart(value: value, zone: zone, zoneName: zoneID, now: now, fail: fail)

        var duration = source.durationMinutes
        if let text = value(.durationMinutes) {
            if let minutes = Int(text), (1...Self.maximumDurationMinutes).contains(minutes) {
                duration = minutes
            } else {
                fail(.durationMinutes, "must be a whole number of minutes from 1 to \(Self.maximumDurationMinutes)")
            }
        } else if duration == nil {
            fail(.durationMinutes, "is required")
        }

        let guests = readGuests(value(.guestEmails), fail: fail)

        let locale = value(.locale) ?? source.locale
        if let locale, value(.locale) != nil, !Self.isLocale(locale) {
            fail(.locale, "must be a language tag such as en-us")
        }

        let (formFields, consents) = readLinkFields(fields)

        guard errors.isEmpty, let email, let firstName, let start, let duration else {
            throw IntakeError(.invalid, "the submission has invalid fields", fieldErrors: errors)
        }
        return BookingRequest(
            slug: source.slug, startTime: start, durationMinutes: duration, email: email, firstName: firstName,
            lastName: lastName ?? "-", timezone: zoneID ?? "UTC", locale: locale, formFields: formFields,
            consents: consents, guestEmails: guests)
    }

    /// The visitor's time zone (the source's when the form sends none) and its name; reports failures through
    /// `fail`.
    private func readZone(_ text: String?, fail: (BookingField, String) -> Void) -> (TimeZone?, String?) {
        guard let text else { return (source.timezone.flatMap(TimeZone.init(identifier:)), source.timezone) }
        if !Self.isLonger(text, than: 64), let parsed = TimeZone(identifier: text) { return (parsed, text) }
        fail(.timezone, "must be an IANA time zone such as Europe/Berlin")
        return (nil, source.timezone)
    }

    /// The guests' e-mail addresses (comma, semicolon or space separated), each once; reports failures through
    /// `fail`.
    private func readGuests(_ text: String?, fail: (BookingField, String) -> Void) -> [String] {
        guard let text else { return [] }
        var guests: [String] = []
        let separators = CharacterSet(charactersIn: ",;").union(.whitespacesAndNewlines)
        for guest in text.components(separatedBy: separators) where !guest.isEmpty {
            if !EmailSyntax.isValid(guest) {
                fail(.guestEmails, "\(guest.prefix(100)) is not an e-mail address")
            } else if !guests.contains(where: { $0.lowercased() == guest.lowercased() }) {
                guests.append(guest)
            }
        }
        if guests.count > Self.maximumGuests { fail(.guestEmails, "at most \(Self.maximumGuests) guests") }
        return guests
    }

    /// The link's form fields (by HubSpot's name) and consents (by communication type id): the source's mapping
    /// first, then, for a source with a booking page, the page's `formField.` and `consent.` names.
    private func readLinkFields(_ fields: [String: String]) -> (formFields: [String: String], consents: [String: Bool])
    {
        var formFields: [String: String] = [:]
        for (hubSpotName, formName) in source.formFields {
            if let text = Self.text(fields[formName]) { formFields[hubSpotName] = text }
        }
        var consents: [String: Bool] = [:]
        for (formName, communicationTypeID) in source.consent {
            consents[communicationTypeID] = Self.isChecked(fields[formName])
        }
        if source.page?.enabled == true {
            for (name, value) in fields {
                if name.hasPrefix(Self.pageFormFieldPrefix) {
                    let hubSpotName = String(name.dropFirst(Self.pageFormFieldPrefix.count))
                    if !hubSpotName.isEmpty, source.formFields[hubSpotName] == nil, let text = Self.text(value) {
                        formFields[hubSpotName] = text
                    }
                } else if name.hasPrefix(Self.pageConsentPrefix) {
                    let typeID = String(name.dropFirst(Self.pageConsentPrefix.count))
                    if !typeID.isEmpty, !source.consent.values.contains(typeID) {
                        consents[typeID] = Self.isChecked(value)
                    }
                }
            }
        }
        return (formFields, consents)
    }

    /// The start time from `startTime`, or from `date` + `time` read in `zone`; reports failures through `fail`.
    private func readStart(
        value: (BookingField) -> String?, zone: TimeZone?, zoneName: String?, now: Date,
        fail: (BookingField, String) -> Void
    ) -> Date? {
        let start: Date
        let blamed: BookingField
        if let text = value(.startTime) {
            blamed = .startTime
            switch StartTime.parse(text) {
            case .instant(let date)?:
                start = date
            case .local(let local)?:
                guard let zone, let zoneName else {
                    fail(.startTime, "has no UTC offset and no time zone is known: add an offset such as +02:00")
                    return nil
                }
                guard let resolved = Self.resolve(local, in: zone, zoneName: zoneName, fail: { fail(.startTime, $0) })
                else { return nil }
                start = resolved
            case nil:
                fail(
                    .startTime,
                    "must be an ISO 8601 date-time with offset (2026-05-04T09:30:00+02:00) or epoch milliseconds")
                return nil
            }
        } else if value(.date) != nil || value(.time) != nil {
            blamed = .date
            guard let dateText = value(.date) else {
                fail(.date, "is required with \(formName(.time))")
                return nil
            }
            guard let timeText = value(.time) else {
                fail(.time, "is required with \(formName(.date))")
                return nil
            }
            // HubSpot date properties are epoch milliseconds at midnight UTC.
            let date =
                StartTime.parseDate(dateText)
                ?? (source.kind == .hubspot ? StartTime.utcDate(epochMilliseconds: dateText) : nil)
            let time = StartTime.parseTime(timeText)
            if date == nil { fail(.date, "must be a date such as 2026-05-04") }
            if time == nil { fail(.time, "must be a time such as 09:30") }
            guard let date, let time else { return nil }
            guard let zone, let zoneName else {
                fail(
                    .timezone,
                    "is required to read \(formName(.date)) and \(formName(.time)) (the source sets no default)")
                return nil
            }
            let local = LocalDateTime(
                year: date.year, month: date.month, day: date.day, hour: time.hour, minute: time.minute,
                second: time.second, nanosecond: time.nanosecond)
            guard let resolved = Self.resolve(local, in: zone, zoneName: zoneName, fail: { fail(.time, $0) }) else {
                return nil
            }
            start = resolved
        } else {
            let usesDateAndTime =
                source.fields[BookingField.date.rawValue] != nil
                && source.fields[BookingField.startTime.rawValue] == nil
            fail(usesDateAndTime ? .date : .startTime, "is required")
            return nil
        }
        if start <= now {
            fail(blamed, "must be in the future")
            return nil
        }
        if start.timeIntervalSince(now) > Self.horizon {
            fail(blamed, "must be within the next two years")
            return nil
        }
        return start
    }

    /// A wall time in a zone; a skipped wall time (clocks go forward) is refused, a repeated one (clocks go back)
    /// means its first occurrence, the one a calendar shows first.
    static func resolve(_ local: LocalDateTime, in zone: TimeZone, zoneName: String, fail: (String) -> Void) -> Date? {
        switch StartTime.resolve(local, in: zone) {
        case .unique(let date): return date
        case .ambiguous(let earlier, _): return earlier
        case .nonexistent:
            fail("\(local) does not exist in \(zoneName): the clocks skip it")
            return nil
        }
    }

    /// Splits a full name at its first space: `Ada King Lovelace` → `Ada`, `King Lovelace`; a single word gets
    /// the last name `-`, which HubSpot accepts where it refuses an empty one.
    static func splitFullName(_ fullName: String) -> (first: String, last: String) {
        let words = fullName.split(whereSeparator: { $0.isWhitespace })
        guard let first = words.first else { return ("", "-") }
        let rest = words.dropFirst().joined(separator: " ")
        return (String(first), rest.isEmpty ? "-" : rest)
    }

    /// Whether a checkbox field counts as ticked: absent or only false-like values is unticked.
    static func isChecked(_ value: String?) -> Bool {
        guard let value else { return false }
        if !value.utf8.contains(UInt8(ascii: ",")) {
            return !uncheckedValues.contains(value.trimmingWhitespace().lowercased())
        }
        return value.components(separatedBy: ", ").contains {
            !uncheckedValues.contains($0.trimmingWhitespace().lowercased())
        }
    }

    /// Whether `text` has more than `limit` characters; counts characters only when its UTF-8 bytes are more.
    static func isLonger(_ text: String, than limit: Int) -> Bool {
        text.utf8.count > limit && text.count > limit
    }

    private static let uncheckedValues: Set<String> = ["", "false", "0", "off", "no", "n"]

    static func isLocale(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).flatMap {
            $0.split(separator: "_", omittingEmptySubsequences: false)
        }
        guard text.count <= 35, let language = parts.first, (2...3).contains(language.count),
            language.allSatisfy({ $0.isASCII && $0.isLetter })
        else { return false }
        return parts.dropFirst().allSatisfy {
            (1...8).contains($0.count) && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
        }
    }

    /// A value trimmed of surrounding whitespace; `nil` when absent or blank.
    static func text(_ value: String?) -> String? {
        guard let value else { return nil }
        let trimmed = value.trimmingWhitespace()
        return trimmed.isEmpty ? nil : trimmed
    }
}
