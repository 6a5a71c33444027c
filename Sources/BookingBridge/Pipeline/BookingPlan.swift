import Foundation

/// Checks a booking request against what HubSpot says about the link, and builds the exact `/book` body.
///
/// Pure: the link facts come in, a plan or a reason a person can act on comes out. Everything here would
/// otherwise come back from HubSpot as a 400, after spending a call from the account's budget.
public enum BookingPlan {
    /// HubSpot's standard form fields, sent as top-level keys of the book call rather than `formFields`.
    static let standardFields: Set<String> = ["firstname", "lastname", "email"]

    /// Builds the `/book` body, or says why the request cannot be booked on this link.
    public static func make(
        request: BookingRequest, info: HubSpotBookingInfo
    ) -> Result<HubSpotBookingRequest, FailureReason> {
        let params = info.customParams
        let durationMillis = Int64(request.durationMinutes) * 60_000
        if !params.durations.isEmpty, !params.durations.contains(durationMillis) {
            let offered = params.durations.map { "\($0 / 60_000)" }.joined(separator: ", ")
            return .failure(
                bridge(
                    "the link offers meetings of \(offered) minutes, not \(request.durationMinutes)",
                    subCategory: "MEETING_DURATION_NOT_VALID"))
        }
        var formFields: [HubSpotFormFieldValue] = []
        var missing: [String] = []
        for field in params.formFields where !standardFields.contains(field.name.lowercased()) {
            if let value = request.formFields[field.name], !value.isEmpty {
                formFields.append(HubSpotFormFieldValue(name: field.name, value: value))
            } else if field.isRequired {
                missing.append(field.label.map { "\($0) (\(field.name))" } ?? field.name)
            }
        }
        if !missing.isEmpty {
            return .failure(
                bridge(
                    "the meeting link requires form field\(missing.count > 1 ? "s" : "") \(missing.joined(separator: ", ")), which the form did not send",
                    subCategory: "REQUIRED_FORM_FIELD"))
        }
        var consents: [HubSpotConsentResponse] = []
        if params.legalConsentEnabled, let options = params.legalConsentOptions {
            for box in options.communicationConsentCheckboxes {
                let consented = request.consents[box.communicationTypeId] ?? false
                if box.required && !consented {
                    return .failure(
                        bridge(
                            "the meeting link requires consent \"\(box.label ?? box.communicationTypeId)\", which the visitor did not give",
                            subCategory: "CONSENT_REQUIRED"))
                }
                consents.append(
                    HubSpotConsentResponse(communicationTypeId: box.communicationTypeId, consented: consented))
            }
        }
        if !request.guestEmails.isEmpty {
            let guests = params.guestSettings
            guard guests?.canAddGuests == true else {
                return .failure(bridge("the meeting link does not allow guests", subCategory: "INVALID_EMAIL_GUESTS"))
            }
            if let max = guests?.maxGuestCount, max > 0, request.guestEmails.count > max {
                return .failure(
                    bridge("the meeting link allows at most \(max) guests", subCategory: "INVALID_EMAIL_GUESTS"))
            }
        }
        return .success(
            HubSpotBookingRequest(
                slug: request.slug, startMillis: Int64((request.startTime.timeIntervalSince1970 * 1000).rounded()),
                durationMillis: durationMillis, email: request.email, firstName: request.firstName,
                lastName: request.lastName.isEmpty ? "-" : request.lastName, formFields: formFields,
                legalConsentResponses: consents, likelyAvailableUserIds: [], timezone: request.timezone,
                locale: request.locale ?? params.locale,
                guestEmails: request.guestEmails.isEmpty ? nil : request.guestEmails))
    }

    /// HubSpot user ids of round-robin members with a connected calendar and no busy time over the slot.
    public static func likelyAvailableUserIds(
        linkType: String, busyTimes: [HubSpotUserBusyTimes], startMillis: Int64, durationMillis: Int64
    ) -> [String] {
        guard linkType == "ROUND_ROBIN_CALENDAR" else { return [] }
        let end = startMillis + durationMillis
        return busyTimes.compactMap { member in
            guard !member.isOffline, let userId = member.meetingsUser?.userId else { return nil }
            let busy = member.busyTimes.contains { $0.start < end && startMillis < $0.end }
            return busy ? nil : userId
        }
    }

    /// Whether the page offers exactly this start for this duration, and otherwise the next few offered starts.
    public static func checkSlot(
        startMillis: Int64, durationMillis: Int64, pages: [HubSpotLinkAvailability], suggestions: Int = 3
    ) -> (offered: Bool, next: [Date]) {
        let slots = pages.flatMap { $0.slots(durationMillis: durationMillis) }
        if slots.contains(where: { $0.startMillisUtc == startMillis }) { return (true, []) }
        let later = slots.map(\.startMillisUtc).filter { $0 > startMillis }.sorted().prefix(suggestions)
        return (false, later.map { Date(timeIntervalSince1970: Double($0) / 1000) })
    }

    /// The `monthOffset` of the availability page that holds `date`, counted in `timezone` from `now`.
    public static func monthOffset(of date: Date, now: Date, timezone: String) -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: timezone) ?? TimeZone(identifier: "UTC")!
        let a = calendar.dateComponents([.year, .month], from: now)
        let b = calendar.dateComponents([.year, .month], from: date)
        return max(0, (b.year! - a.year!) * 12 + (b.month! - a.month!))
    }

    /// Why a 200 from `/book` is not a confirmed meeting, or `nil` when it is. HubSpot's offline trap
    /// (`isOffline: true`, the rep has no connected calendar) and an empty `calendarEventId` with `isOffline: false`
    /// both mean that no calendar event exists; the reason says which one was seen.
    public static func offlineReason(_ response: HubSpotBookingResponse) -> FailureReason? {
        guard !response.isConfirmedMeeting else { return nil }
        let message =
            response.isOffline
            ? "HubSpot created the contact but no meeting: the assigned rep has no connected calendar (isOffline)"
            : "HubSpot answered 200 with isOffline false but an empty calendarEventId: no calendar event exists, "
                + "although the rep is not offline"
        return FailureReason(origin: "hubspot", message: message, httpStatus: 200, subCategory: "OFFLINE")
    }

    static func bridge(_ message: String, subCategory: String) -> FailureReason {
        FailureReason(origin: "bridge", message: message, category: "VALIDATION_ERROR", subCategory: subCategory)
    }
}
