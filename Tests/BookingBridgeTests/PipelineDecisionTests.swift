import BookingBridge
import Foundation
import Testing

/// The pipeline's decisions that need no I/O: link checks, slot checks, reconciliation and backoff.
@Suite("Pipeline decisions")
struct PipelineDecisionTests {
    static let infoJSON = """
        {"linkId":"1","linkType":"PERSONAL_LINK","isOffline":false,
         "allUsersBusyTimes":[{"isOffline":false,"busyTimes":[],"meetingsUser":{"id":"771","userId":"5521"}}],
         "customParams":{"durations":[900000,1800000,3600000],
           "formFields":[{"name":"firstname","label":"First name","fieldType":"text","type":"string","isRequired":true,"isCustom":false,"options":[]},
                         {"name":"company","label":"Company","fieldType":"text","type":"string","isRequired":true,"isCustom":true,"options":[]},
                         {"name":"notes","label":"Notes","fieldType":"text","type":"string","isRequired":false,"isCustom":true,"options":[]}],
           "legalConsentEnabled":true,
           "legalConsentOptions":{"processingConsentType":"REQUIRED_CHECKBOX","communicationConsentCheckboxes":[
              {"communicationTypeId":"111","label":"Product news","required":false},
              {"communicationTypeId":"222","label":"Processing","required":true}]},
           "guestSettings":{"canAddGuests":false,"maxGuestCount":0},"locale":"en-gb"}}
        """

    static func info(_ json: String = infoJSON) throws -> HubSpotBookingInfo {
        try JSONDecoder().decode(HubSpotBookingInfo.self, from: Data(json.utf8))
    }

    static func request(
        minutes: Int = 30, formFields: [String: String] = ["company": "Engines Ltd"],
        consents: [String: Bool] = ["222": true],
        guests: [String] = []
    ) -> BookingRequest {
        BookingRequest(
            slug: "jane-doe/intro-30", startTime: Date(timeIntervalSince1970: 1_796_308_200), durationMinutes: minutes,
            email: "ada@lovelace.dev", firstName: "Ada", lastName: "", timezone: "Europe/London",
            formFields: formFields, consents: consents, guestEmails: guests)
    }

    @Test("a valid request becomes HubSpot's book body: milliseconds, consents for every box, '-' for no last name")
    func buildsBookBody() throws {
        let call = try BookingPlan.make(request: Self.request(), info: Self.info()).get()
        #expect(call.durationMillis == 1_800_000)
        #expect(call.startMillis == 1_796_308_200_000)
        #expect(call.lastName == "-")
        #expect(call.formFields == [HubSpotFormFieldValue(name: "company", value: "Engines Ltd")])
        #expect(call.legalConsentResponses.map(\.communicationTypeId) == ["111", "222"])
        #expect(call.legalConsentResponses.map(\.consented) == [false, true])
        #expect(call.locale == "en-gb", "the link's locale when the form gave none")
        #expect(call.guestEmails == nil)
    }

    @Test("a duration the link does not offer is refused with the offered ones")
    func refusesDuration() throws {
        let failure = try #require(BookingPlan.make(request: Self.request(minutes: 45), info: Self.info()).failure)
        #expect(failure.subCategory == "MEETING_DURATION_NOT_VALID")
        #expect(failure.message.contains("15, 30, 60"))
    }

    @Test("a missing required form field is named")
    func refusesMissingField() throws {
        let failure = try #require(BookingPlan.make(request: Self.request(formFields: [:]), info: Self.info()).failure)
        #expect(failure.subCategory == "REQUIRED_FORM_FIELD")
        #expect(failure.message.contains("company"))
    }

    @Test("a required consent not given is refused; an optional one is answered false")
    func refusesMissingConsent() throws {
        let failure = try #require(BookingPlan.make(request: Self.request(consents: [:]), info: Self.info()).failure)
        #expect(failure.subCategory == "CONSENT_REQUIRED")
    }

    @Test("guests on a link that does not allow them are refused before calling HubSpot")
    func refusesGuests() throws {
        let failure = try #require(
            BookingPlan.make(request: Self.request(guests: ["bob@lovelace.dev"]), info: Self.info()).failure)
        #expect(failure.subCategory == "INVALID_EMAIL_GUESTS")
    }

    static func availability(_ starts: [Int64], duration: Int64 = 1_800_000) throws -> HubSpotLinkAvailability {
        let slots = starts.map { "{\"startMillisUtc\":\($0),\"endMillisUtc\":\($0 + duration)}" }.joined(separator: ",")
        let json = """
            {"hasMore":false,"linkAvailabilityByDuration":{"\(duration)":{"meetingDurationMillis":\(duration),"availabilities":[\(slots)]}}}
            """
        return try JSONDecoder().decode(HubSpotLinkAvailability.self, from: Data(json.utf8))
    }

    @Test("an offered start is found; otherwise the next offered starts are suggested")
    func slotCheck() throws {
        let page = try Self.availability([1000_000, 2_800_000, 4_600_000, 6_400_000, 8_200_000])
        #expect(BookingPlan.checkSlot(startMillis: 2_800_000, durationMillis: 1_800_000, pages: [page]).offered)
        let miss = BookingPlan.checkSlot(startMillis: 3_000_000, durationMillis: 1_800_000, pages: [page])
        #expect(!miss.offered)
        #expect(miss.next.map { Int64($0.timeIntervalSince1970 * 1000) } == [4_600_000, 6_400_000, 8_200_000])
        #expect(
            !BookingPlan.checkSlot(startMillis: 2_800_000, durationMillis: 900_000, pages: [page]).offered,
            "another duration's slots do not count")
    }

    @Test("month offsets are counted in the booker's time zone")
    func monthOffset() {
        let now = ISO8601DateFormatter().date(from: "2026-11-26T12:00:00Z")!
        let sameMonth = ISO8601DateFormatter().date(from: "2026-11-30T23:30:00Z")!
        #expect(BookingPlan.monthOffset(of: sameMonth, now: now, timezone: "UTC") == 0)
        // 23:30 UTC on 30 November is already December in Berlin.
        #expect(BookingPlan.monthOffset(of: sameMonth, now: now, timezone: "Europe/Berlin") == 1)
        let nextYear = ISO8601DateFormatter().date(from: "2027-02-02T10:00:00Z")!
        #expect(BookingPlan.monthOffset(of: nextYear, now: now, timezone: "UTC") == 3)
    }

    static func busy(
        _ userId: String, _ start: Int64, _ end: Int64, offline: Bool = false
    ) throws -> HubSpotUserBusyTimes {
        try JSONDecoder().decode(
            HubSpotUserBusyTimes.self,
            from: Data(
                """
                {"isOffline":\(offline),"busyTimes":[{"start":\(start),"end":\(end)}],"meetingsUser":{"id":"m\(userId)","userId":"\(userId)"}}
                """.utf8))
    }

    @Test("reconciliation: a slot still offered on a personal link is safe to book again; a gone slot needs review")
    func reconcilePersonal() {
        #expect(
            Reconciliation.decide(
                linkType: "PERSONAL_LINK", slotOffered: true, busyTimes: [], startMillis: 0, durationMillis: 10)
                == .safeToBook)
        guard
            case .needsReview = Reconciliation.decide(
                linkType: "PERSONAL_LINK", slotOffered: false, busyTimes: [], startMillis: 0, durationMillis: 10)
        else { Issue.record("a gone slot must need review"); return }
    }

    @Test("reconciliation: on a round-robin link a rep busy over the slot means the earlier call may have booked")
    func reconcileRoundRobin() throws {
        let free = try [Self.busy("1", 0, 100), Self.busy("2", 5000, 6000)]
        #expect(
            Reconciliation.decide(
                linkType: "ROUND_ROBIN_CALENDAR", slotOffered: true, busyTimes: free, startMillis: 1000,
                durationMillis: 1000) == .safeToBook)
        let taken = try [Self.busy("1", 0, 100), Self.busy("2", 1000, 2000)]
        guard
            case .needsReview(let evidence) = Reconciliation.decide(
                linkType: "ROUND_ROBIN_CALENDAR", slotOffered: true, busyTimes: taken, startMillis: 1000,
                durationMillis: 1000)
        else { Issue.record("a busy rep must need review"); return }
        #expect(evidence.contains("2"))
    }

    @Test("likely available reps: connected calendars that are free over the slot, round-robin links only")
    func likelyAvailable() throws {
        let members = try [Self.busy("1", 0, 100), Self.busy("2", 1000, 2000), Self.busy("3", 0, 10, offline: true)]
        #expect(
            BookingPlan.likelyAvailableUserIds(
                linkType: "ROUND_ROBIN_CALENDAR", busyTimes: members, startMillis: 1500, durationMillis: 100) == ["1"])
        #expect(
            BookingPlan.likelyAvailableUserIds(
                linkType: "PERSONAL_LINK", busyTimes: members, startMillis: 1500, durationMillis: 100
            ).isEmpty)
    }

    @Test("backoff doubles from the base up to the maximum, with full jitter below that ceiling")
    func backoff() {
        let policy = RetryPolicy(base: .seconds(2), maximum: .seconds(60), maxAttempts: 5, maxAge: .seconds(3600))
        #expect(policy.ceiling(afterAttempt: 1) == .seconds(2))
        #expect(policy.ceiling(afterAttempt: 3) == .seconds(8))
        #expect(policy.ceiling(afterAttempt: 10) == .seconds(60))
        var generator = SystemRandomNumberGenerator()
        let delays = (0..<200).map { _ in policy.delay(afterAttempt: 3, using: &generator) }
        #expect(delays.allSatisfy { $0 >= .zero && $0 <= .seconds(8) })
        #expect(Set(delays).count > 10, "jittered, not constant")
    }

    @Test("an intent is exhausted by attempts or by age")
    func exhaustion() {
        let policy = RetryPolicy(base: .seconds(1), maximum: .seconds(10), maxAttempts: 3, maxAge: .seconds(60))
        let now = Date()
        #expect(!policy.isExhausted(attempts: 2, createdAt: now, now: now))
        #expect(policy.isExhausted(attempts: 3, createdAt: now, now: now))
        #expect(policy.isExhausted(attempts: 0, createdAt: now.addingTimeInterval(-61), now: now))
    }

    @Test("a wake signal sent before waiting is kept; waiting otherwise ends at the timeout")
    func wakeSignal() async {
        let signal = WakeSignal()
        signal.signal()
        let clock = ContinuousClock()
        let immediate = await clock.measure { await signal.wait(timeout: .seconds(5)) }
        #expect(immediate < .seconds(1))
        let timedOut = await clock.measure { await signal.wait(timeout: .milliseconds(50)) }
        #expect(timedOut >= .milliseconds(40))
        async let woken: Duration = clock.measure { await signal.wait(timeout: .seconds(5)) }
        try? await Task.sleep(for: .milliseconds(50))
        signal.signal()
        #expect(await woken < .seconds(2))
    }

    @Test("finish() ends a waiting loop: the current wait returns false at once, and every later one too")
    func wakeSignalFinish() async {
        let signal = WakeSignal()
        let clock = ContinuousClock()
        // A wait without a timeout, woken by a signal: true (the loop goes on).
        async let signalled: Bool = signal.wait(timeout: nil)
        try? await Task.sleep(for: .milliseconds(50))
        signal.signal()
        #expect(await signalled)
        // A wait in progress when finish() comes: false, long before its timeout.
        async let finished: (Bool, Duration) = {
            let started = clock.now
            let goesOn = await signal.wait(timeout: .seconds(30))
            return (goesOn, clock.now - started)
        }()
        try? await Task.sleep(for: .milliseconds(50))
        signal.finish()
        let (goesOn, waited) = await finished
        #expect(goesOn == false)
        #expect(waited < .seconds(5))
        #expect(signal.isFinished)
        // After finish, a pending signal does not revive the loop.
        signal.signal()
        #expect(await signal.wait(timeout: .seconds(30)) == false)
        #expect(await signal.wait(timeout: nil) == false)
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let f) = self { return f }
        return nil
    }
}
