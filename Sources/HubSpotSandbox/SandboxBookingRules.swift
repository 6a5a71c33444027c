/// HubSpot's booking validation and round-robin assignment, as a pure function of the link, the request, the time
/// and the bookings already made.
struct SandboxBookingRules: Sendable {
    let link: SandboxLink
    let now: Int64

    /// What a valid request books.
    struct Decision: Sendable, Equatable {
        var startMillis: Int64
        var assignee: SandboxUser
    }

    /// Validates `request` in HubSpot's order and picks the rep, or returns the 400 HubSpot would answer.
    func decide(_ request: SandboxBookRequest, bookings: [SandboxBooking]) -> Result<Decision, SandboxAPIError> {
        let schedule = SandboxSchedule(link: self.link)
        guard self.link.durationsMillis.contains(request.duration) else { return .failure(.durationNotValid) }
        guard let start = request.startTime.millis else {
            return .failure(.invalidInput("startTime is neither an ISO 8601 date-time nor epoch milliseconds"))
        }
        guard schedule.offersStart(start, durationMillis: request.duration, now: self.now) else {
            return .failure(.startTimeNotValid)
        }
        if let problem = self.personProblem(request) ?? self.formProblem(request) ?? self.consentProblem(request) {
            return .failure(problem)
        }
        let slot = SandboxInterval(start: start, end: start + request.duration)
        let margin = self.link.bufferMillis + 86_400_000
        let busy = schedule.busyTimes(bookings: bookings, in: .init(start: slot.start - margin, end: slot.end + margin))
        let free = schedule.freeMembers(for: slot, busy: busy)
        guard
            let assignee = self.assign(
                from: free, likely: request.likelyAvailableUserIds.map(\.value), bookings: bookings)
        else { return .failure(.timeNotAvailable) }
        return .success(Decision(startMillis: start, assignee: assignee))
    }

    /// Of the free reps, those named in `likely` if any; of those, the fewest bookings on this link; ties in pool order.
    func assign(from free: [SandboxUser], likely: [String], bookings: [SandboxBooking]) -> SandboxUser? {
        guard self.link.type == .roundRobin else { return free.first }
        let preferred = free.filter { likely.contains($0.userId) }
        let pool = preferred.isEmpty ? free : preferred
        var best: (user: SandboxUser, load: Int)?
        for user in pool {
            let load = bookings.count(where: { $0.linkId == self.link.id && $0.assignedUserId == user.userId })
            if best == nil || load < best!.load { best = (user, load) }
        }
        return best?.user
    }

    private func personProblem(_ request: SandboxBookRequest) -> SandboxAPIError? {
        if request.lastName.trimmingWhitespace().isEmpty { return .requiredFormField("lastname") }
        guard SandboxEmail.isAcceptable(request.email) else { return .invalidEmail }
        let guests = request.guestEmails ?? []
        guard !guests.isEmpty else { return nil }
        guard self.link.canAddGuests else { return .invalidGuests("this meeting link does not allow guests") }
        guard guests.count <= self.link.maxGuestCount else {
            return .invalidGuests("this meeting link allows at most \(self.link.maxGuestCount) guests")
        }
        if let bad = guests.first(where: { !SandboxEmail.isAcceptable($0) }) {
            return .invalidGuests("guest email \(bad) is invalid or its domain is blocked")
        }
        return nil
    }

    private func formProblem(_ request: SandboxBookRequest) -> SandboxAPIError? {
        let known = Set(self.link.formFields.map(\.name))
        if let unknown = request.formFields.first(where: { !known.contains($0.name) }) {
            return .unknownFormField(unknown.name)
        }
        let standard = Set(SandboxFormField.standard.map(\.name))
        for field in self.link.formFields where field.isRequired && !standard.contains(field.name) {
            let answered = request.formFields.contains {
                $0.name == field.name && !$0.value.trimmingWhitespace().isEmpty
            }
            if !answered { return .requiredFormField(field.name) }
        }
        return nil
    }

    private func consentProblem(_ request: SandboxBookRequest) -> SandboxAPIError? {
        guard self.link.legalConsentEnabled else { return nil }
        for checkbox in self.link.consentCheckboxes where checkbox.required {
            let given = request.legalConsentResponses.contains {
                $0.communicationTypeId.value == checkbox.communicationTypeId && $0.consented
            }
            if !given { return .consentRequired(checkbox.communicationTypeId) }
        }
        return nil
    }
}

/// E-mail checks of HubSpot's booking form and spam filter.
enum SandboxEmail {
    /// Throwaway and reserved domains that HubSpot's spam filter rejects (subdomains included).
    static let blockedDomains: Set<String> = [
        "example.com", "example.org", "example.net", "test.com", "mailinator.com", "guerrillamail.com",
        "10minutemail.com", "yopmail.com", "trashmail.com", "tempmail.com", "temp-mail.org", "throwawaymail.com",
        "sharklasers.com", "maildrop.cc", "dispostable.com", "getnada.com",
    ]
    /// Reserved top-level domains (RFC 2606) that can never receive mail.
    static let blockedTopLevelDomains: Set<String> = ["test", "example", "invalid", "localhost"]

    /// Whether `email` is well formed and not at a blocked domain.
    static func isAcceptable(_ email: String) -> Bool {
        let parts = email.lowercased().split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !email.contains(where: \.isWhitespace) else { return false }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty }), let tld = labels.last else { return false }
        if self.blockedTopLevelDomains.contains(String(tld)) { return false }
        for index in 0..<(labels.count - 1) {
            let suffix = labels[index...].joined(separator: ".")
            if self.blockedDomains.contains(suffix) { return false }
        }
        return true
    }
}

extension StringProtocol {
    /// The text without leading and trailing whitespace.
    func trimmingWhitespace() -> String {
        let trimmedStart = self.drop(while: \.isWhitespace)
        return String(trimmedStart.dropLast(trimmedStart.reversed().prefix(while: \.isWhitespace).count))
    }
}
