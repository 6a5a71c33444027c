import Foundation
import Testing

@testable import BookingBridge

/// `IntentTransition`, the booking pipeline's decisions, without I/O: every row of the README's outcome table and
/// every reconciliation case, from HubSpot's answer (classified by the real classifier) to the next step.
@Suite("Intent transitions")
struct IntentTransitionTests {
    static let created = Date(timeIntervalSince1970: 1_796_000_000)
    static let policy = RetryPolicy(
        base: .seconds(2), maximum: .seconds(600), maxAttempts: 10, maxAge: .seconds(86_400))

    static func intent(
        attempts: Int = 0, uncertain: Bool = false, bookStartedAt: Date? = nil, lastError: FailureReason? = nil
    ) -> IntentRecord {
        IntentRecord(
            id: UUID(), source: "web", idempotencyKey: "k", status: attempts == 0 ? .received : .retrying,
            request: BookingRequest(
                slug: "jane-doe/intro-30", startTime: Date(timeIntervalSince1970: 1_796_308_200), durationMinutes: 30,
                email: "ada@lovelace.dev", firstName: "Ada", lastName: "Lovelace", timezone: "Europe/London"),
            attempts: attempts, uncertain: uncertain, lockedBy: "w", lockedUntil: nil, nextAttemptAt: created,
            lastError: lastError, createdAt: created, updatedAt: created, finishedAt: nil,
            bookStartedAt: bookStartedAt)
    }

    /// Claimed `age` seconds after the intent was made.
    static func transition(_ intent: IntentRecord, age: TimeInterval = 60) -> IntentTransition {
        IntentTransition(
            intent: intent, policy: policy, reconcileDelay: .seconds(60), now: created.addingTimeInterval(age))
    }

    /// A failed call as the HubSpot client reports it.
    static func error(
        _ endpoint: HubSpotEndpoint = .book, status: Int? = nil, subCategory: String? = nil,
        transport: HubSpotTransportFailure? = nil, sent: Bool = true, retryAfter: Duration? = nil
    ) -> HubSpotError {
        let body = status.map { _ in
            HubSpotErrorBody(
                message: "HubSpot says no", correlationId: "c-1",
                category: subCategory == nil ? nil : "VALIDATION_ERROR", subCategory: subCategory)
        }
        return HubSpotError(
            facts: HubSpotFailureFacts(
                endpoint: endpoint, status: status, body: body, transport: transport, requestMayHaveBeenSent: sent,
                retryAfter: retryAfter))
    }

    static let reason = FailureReason(origin: "hubspot", message: "HubSpot says no")

    static func retry(_ step: IntentTransition.Step) -> IntentTransition.Retry? {
        if case .retry(let retry) = step { retry } else { nil }
    }

    static func finish(_ step: IntentTransition.Step) -> IntentTransition.Finish? {
        if case .finish(let end) = step { end } else { nil }
    }

    // MARK: The outcome table, booking call

    /// What one booking call's failure leads to, for a first attempt (one attempt counted by the in-flight mark).
    struct BookRow: Sendable, CustomTestStringConvertible {
        let name: String
        let error: HubSpotError?
        /// nil: the step is a retry.
        let status: IntentStatus?
        let uncertain: Bool
        let attemptDelta: Int
        let callSettled: Bool
        let delay: IntentTransition.Delay?
        var testDescription: String { name }
    }

    static let bookRows: [BookRow] = [
        .init(
            name: "400 rejected e-mail: failed", error: error(status: 400, subCategory: "INVALID_EMAIL"),
            status: .failed, uncertain: false, attemptDelta: 0, callSettled: true, delay: nil),
        .init(
            name: "403: failed", error: error(status: 403), status: .failed, uncertain: false, attemptDelta: 0,
            callSettled: true, delay: nil),
        .init(
            name: "404: failed", error: error(status: 404), status: .failed, uncertain: false, attemptDelta: 0,
            callSettled: true, delay: nil),
        .init(
            name: "521 origin down: retried after the backoff", error: error(status: 521), status: nil,
            uncertain: false, attemptDelta: 0, callSettled: true, delay: .backoff(afterAttempt: 1)),
        .init(
            name: "523 with Retry-After: retried, not before it", error: error(status: 523, retryAfter: .seconds(7)),
            status: nil, uncertain: false, attemptDelta: 0, callSettled: true,
            delay: .backoff(afterAttempt: 1, atLeast: .seconds(7))),
        .init(
            name: "connection refused (nothing sent): retried",
            error: error(transport: .notConnected, sent: false), status: nil, uncertain: false, attemptDelta: 0,
            callSettled: true, delay: .backoff(afterAttempt: 1)),
        .init(
            name: "423 locked: waits at least 2 s, not an attempt", error: error(status: 423), status: nil,
            uncertain: false, attemptDelta: -1, callSettled: true, delay: .fixed(.seconds(2))),
        .init(
            name: "477 with Retry-After 9 s: waits 9 s, not an attempt",
            error: error(status: 477, retryAfter: .seconds(9)), status: nil, uncertain: false, attemptDelta: -1,
            callSettled: true, delay: .fixed(.seconds(9))),
        .init(
            name: "429 with Retry-After: waits it, not an attempt", error: error(status: 429, retryAfter: .seconds(3)),
            status: nil, uncertain: false, attemptDelta: -1, callSettled: true, delay: .fixed(.seconds(3))),
        .init(
            name: "429 without Retry-After: waits 10 s", error: error(status: 429), status: nil, uncertain: false,
            attemptDelta: -1, callSettled: true, delay: .fixed(.seconds(10))),
        .init(
            name: "no access token (refresh refused): waits at least 2 s, not an attempt",
            error: error(.token, status: 400), status: nil, uncertain: false, attemptDelta: -1, callSettled: true,
            delay: .backoff(afterAttempt: 1, atLeast: .seconds(2))),
        .init(
            name: "timeout after sending: uncertain, reconciled once the call can no longer land",
            error: error(transport: .timedOut), status: nil, uncertain: true, attemptDelta: 0, callSettled: false,
            delay: .fixed(.seconds(60))),
        .init(
            name: "reset mid-answer: uncertain", error: error(transport: .connectionClosed), status: nil,
            uncertain: true, attemptDelta: 0, callSettled: false, delay: .fixed(.seconds(60))),
        .init(
            name: "502 (an answer ends the call): uncertain, reconciled soon", error: error(status: 502),
            status: nil, uncertain: true, attemptDelta: 0, callSettled: true, delay: .fixed(.milliseconds(500))),
        .init(
            name: "524 origin timeout: uncertain", error: error(status: 524), status: nil, uncertain: true,
            attemptDelta: 0, callSettled: true, delay: .fixed(.milliseconds(500))),
        .init(
            name: "an error that is not HubSpot's: uncertain", error: nil, status: nil, uncertain: true,
            attemptDelta: 0, callSettled: false, delay: .fixed(.seconds(60))),
    ]

    @Test("a failed booking call: the outcome table's rows", arguments: bookRows)
    func bookFailure(row: BookRow) throws {
        let step = Self.transition(Self.intent()).bookFailed(row.error, reason: Self.reason)
        if let status = row.status {
            let end = try #require(Self.finish(step), "\(step)")
            #expect(end.status == status)
            #expect(end.attempts == 1, "the call counted")
            #expect(end.reason == Self.reason, "HubSpot's reason is kept as given")
        } else {
            let retry = try #require(Self.retry(step), "\(step)")
            #expect(retry.uncertain == row.uncertain)
            #expect(retry.attemptDelta == row.attemptDelta)
            #expect(retry.callSettled == row.callSettled)
            #expect(retry.delay == row.delay)
        }
    }

    @Test("200: booked with a calendar event; offline without one, with the reason")
    func answered() {
        let t = Self.transition(Self.intent(attempts: 2))
        func response(calendarEventId: String, isOffline: Bool) -> HubSpotBookingResponse {
            HubSpotBookingResponse(
                bookingTimezone: "Europe/London", calendarEventId: calendarEventId, contactId: "901",
                durationMillis: 1_800_000, startMillis: t.startMillis, endMillis: t.startMillis + 1_800_000,
                subject: "Intro", isOffline: isOffline)
        }
        #expect(
            t.booked(response(calendarEventId: "ev-1", isOffline: false))
                == .init(status: .booked, reason: nil, attempts: 3))
        let offline = t.booked(response(calendarEventId: "", isOffline: true))
        #expect(offline.status == .offline && offline.attempts == 3)
        #expect(offline.reason?.subCategory == "OFFLINE")
        let noEvent = t.booked(response(calendarEventId: "", isOffline: false))
        #expect(noEvent.status == .offline, "isOffline false with an empty calendarEventId is not a meeting")
    }

    @Test("a retryable failure on the last allowed attempt fails, saying it gave up, with HubSpot's reason")
    func retryableExhausted() throws {
        let end = try #require(
            Self.finish(
                Self.transition(Self.intent(attempts: 9)).bookFailed(Self.error(status: 521), reason: Self.reason)))
        #expect(end.status == .failed)
        #expect(end.attempts == 10)
        #expect(end.reason?.message == "gave up after 10 attempts: HubSpot says no")
        #expect(end.reason?.origin == "hubspot")
    }

    @Test("a retryable failure past pipeline.maxAge fails although attempts are left")
    func retryableTooOld() throws {
        let t = Self.transition(Self.intent(attempts: 1), age: 86_400)
        let end = try #require(Self.finish(t.bookFailed(Self.error(status: 521), reason: Self.reason)))
        #expect(end.status == .failed && end.attempts == 2)
        #expect(end.reason?.message.hasPrefix("gave up after 2 attempts") == true)
    }

    @Test("waits HubSpot never judged never exhaust: a 429 or 423 on the last attempt still waits")
    func waitsDoNotExhaust() throws {
        for error in [Self.error(status: 429), Self.error(status: 423), Self.error(.token, status: 400)] {
            let step = Self.transition(Self.intent(attempts: 9)).bookFailed(error, reason: Self.reason)
            let retry = try #require(Self.retry(step), "\(error): \(step)")
            #expect(retry.attemptDelta == -1)
        }
    }

    @Test("an uncertain call is never failed for exhaustion: reconciliation decides first")
    func uncertainNotExhausted() throws {
        let step = Self.transition(Self.intent(attempts: 9)).bookFailed(
            Self.error(transport: .timedOut), reason: Self.reason)
        #expect(Self.retry(step)?.uncertain == true)
    }

    // MARK: A refused slot

    @Test("MEETING_TIME_NOT_AVAILABLE: failed, or needs_review after an uncertain attempt (this claim's or earlier)")
    func timeNotAvailable() throws {
        let refused = Self.error(status: 400, subCategory: "MEETING_TIME_NOT_AVAILABLE")
        let fresh = Self.transition(Self.intent())
        #expect(fresh.bookFailed(refused, reason: Self.reason) == .judgeRefusedSlot(Self.reason))
        #expect(Self.finish(fresh.slotRefused(Self.reason, uncertainBefore: false))?.status == .failed)
        let review = try #require(Self.finish(fresh.slotRefused(Self.reason, uncertainBefore: true)))
        #expect(review.status == .needsReview)
        #expect(review.reason?.message.contains("may have booked it") == true)
        #expect(review.attempts == 1)
        // Claimed uncertain (reconciled safe, then booked again): the slot refusal cannot be a plain failure.
        let again = Self.transition(Self.intent(attempts: 1, uncertain: true))
        #expect(Self.finish(again.slotRefused(Self.reason, uncertainBefore: false))?.status == .needsReview)
    }

    // MARK: Claim and reconciliation

    @Test("claimed: a fresh intent is enriched; one whose attempts or age are spent fails, with the last reason")
    func claimed() throws {
        #expect(Self.transition(Self.intent()).onClaim() == .enrich)
        let last = FailureReason(origin: "hubspot", message: "HubSpot answered 521", httpStatus: 521)
        let spent = try #require(Self.finish(Self.transition(Self.intent(attempts: 10, lastError: last)).onClaim()))
        #expect(spent.status == .failed && spent.attempts == 10)
        #expect(spent.reason?.message == "gave up after 10 attempts: HubSpot answered 521")
        #expect(spent.reason?.httpStatus == 521)
        let old = try #require(Self.finish(Self.transition(Self.intent(attempts: 1), age: 90_000).onClaim()))
        #expect(old.reason?.message == "gave up after 1 attempts: no attempt succeeded")
    }

    @Test("claimed uncertain: waits until the unanswered call can no longer land, then reconciles")
    func claimedUncertain() throws {
        let sent = Self.created.addingTimeInterval(40)
        let early = Self.transition(Self.intent(attempts: 1, uncertain: true, bookStartedAt: sent), age: 70)
        let wait = try #require(Self.retry(early.onClaim()))
        #expect(wait.delay == .fixed(.seconds(30)), "60 s after the call was sent")
        #expect(wait.uncertain && !wait.callSettled && wait.attemptDelta == 0)
        #expect(wait.cause == .awaitingReconciliation)
        let due = Self.transition(Self.intent(attempts: 1, uncertain: true, bookStartedAt: sent), age: 100)
        #expect(due.onClaim() == .reconcile)
        #expect(Self.transition(Self.intent(attempts: 1, uncertain: true)).onClaim() == .reconcile)
        // Exhausted and uncertain: reconciled, not failed (the call may have booked).
        #expect(Self.transition(Self.intent(attempts: 10, uncertain: true), age: 90_000).onClaim() == .reconcile)
    }

    /// Availability after an unanswered call, as `Reconciliation.decide` reads it, then the step.
    struct ReconcileRow: Sendable, CustomTestStringConvertible {
        let name: String
        let linkType: String
        let offered: Bool
        let busyOverSlot: Bool
        let crmNote: String?
        let review: Bool
        var testDescription: String { name }
    }

    static let reconcileRows: [ReconcileRow] = [
        .init(
            name: "personal link, slot free: booked again", linkType: "PERSONAL_LINK", offered: true,
            busyOverSlot: false, crmNote: CRMEvidence.notFoundNote, review: false),
        .init(
            name: "personal link, slot taken: needs review with the CRM's evidence", linkType: "PERSONAL_LINK",
            offered: false, busyOverSlot: false, crmNote: CRMEvidence.notFoundNote, review: true),
        .init(
            name: "slot taken, no CRM scope: needs review", linkType: "PERSONAL_LINK", offered: false,
            busyOverSlot: false, crmNote: nil, review: true),
        .init(
            name: "round robin, offered, a rep busy over it: needs review", linkType: "ROUND_ROBIN_CALENDAR",
            offered: true, busyOverSlot: true, crmNote: CRMEvidence.notFoundNote, review: true),
        .init(
            name: "round robin, offered, no rep busy: booked again", linkType: "ROUND_ROBIN_CALENDAR", offered: true,
            busyOverSlot: false, crmNote: nil, review: false),
        .init(
            name: "group link, slot free: booked again", linkType: "GROUP_CALENDAR", offered: true,
            busyOverSlot: true, crmNote: nil, review: false),
    ]

    @Test("reconciliation by availability", arguments: reconcileRows)
    func reconcile(row: ReconcileRow) throws {
        let t = Self.transition(Self.intent(attempts: 1, uncertain: true))
        let busy =
            row.busyOverSlot
            ? [
                HubSpotUserBusyTimes(
                    busyTimes: [.init(start: t.startMillis - 600_000, end: t.startMillis + 600_000)],
                    meetingsUser: .init(id: "771", userId: "5521"))
            ] : []
        let decision = Reconciliation.decide(
            linkType: row.linkType, slotOffered: row.offered, busyTimes: busy, startMillis: t.startMillis,
            durationMillis: t.durationMillis)
        let step = t.reconciled(decision, crmNote: row.crmNote)
        guard row.review else {
            #expect(step == .bookAgain)
            return
        }
        let end = try #require(Self.finish(step), "\(step)")
        #expect(end.status == .needsReview)
        #expect(end.reason?.subCategory == "OUTCOME_UNKNOWN")
        #expect(end.attempts == 1)
        if let note = row.crmNote {
            #expect(end.reason?.message.hasSuffix("; \(note) in HubSpot's CRM") == true)
        } else {
            #expect(end.reason?.message.contains("CRM") == false)
        }
    }

    @Test("booked again after a safe reconciliation: attempts or age spent fail, else enrich")
    func afterSafeReconciliation() {
        #expect(Self.transition(Self.intent(attempts: 3, uncertain: true)).beforeBooking() == .enrich)
        #expect(
            Self.finish(Self.transition(Self.intent(attempts: 10, uncertain: true)).beforeBooking())?.status == .failed)
        #expect(
            Self.finish(Self.transition(Self.intent(attempts: 2, uncertain: true), age: 90_000).beforeBooking())?.status
                == .failed)
    }

    @Test("the CRM holds the meeting: booked, or offline without a calendar event; attempts unchanged")
    func settledFromCRM() {
        let t = Self.transition(Self.intent(attempts: 2, uncertain: true))
        #expect(
            t.settledFromCRM(meetingId: "m-1", hasCalendarEvent: true)
                == .init(status: .booked, reason: nil, attempts: 2))
        let offline = t.settledFromCRM(meetingId: "m-2", hasCalendarEvent: false)
        #expect(offline.status == .offline && offline.reason?.message.contains("m-2") == true)
    }

    @Test("a failed CRM or availability read keeps the intent due and uncertain, never booked blindly")
    func reconcileReadsFail() throws {
        let t = Self.transition(Self.intent(attempts: 10, uncertain: true), age: 90_000)
        let crm = try #require(
            Self.retry(t.crmReadFailed(Self.error(.crmMeetingSearch, status: 503), reason: Self.reason)))
        #expect(crm.uncertain && crm.attemptDelta == 0 && crm.cause == .crmUnreadable)
        #expect(crm.reason.message.hasPrefix("could not read HubSpot's CRM"))
        #expect(crm.delay == .backoff(afterAttempt: 10))
        let limited = try #require(
            Self.retry(
                t.crmReadFailed(Self.error(.crmContact, status: 429, retryAfter: .seconds(4)), reason: Self.reason)))
        #expect(limited.delay == .fixed(.seconds(4)))
        let availability = try #require(
            Self.retry(t.availabilityReadFailed(Self.error(.availability, transport: .timedOut), reason: Self.reason)))
        #expect(availability.uncertain && availability.attemptDelta == 0)
        #expect(
            Self.retry(
                Self.transition(Self.intent(attempts: 0, uncertain: true)).crmReadFailed(nil, reason: Self.reason))?
                .delay == .backoff(afterAttempt: 1))
    }

    // MARK: Enrichment

    @Test("a failed link read: a permanent error fails, a rate limit waits, anything else is a counted attempt")
    func enrichFailure() throws {
        let t = Self.transition(Self.intent(attempts: 2))
        #expect(
            Self.finish(t.enrichFailed(Self.error(.bookingInfo, status: 404), reason: Self.reason))?.status == .failed)
        let limited = try #require(
            Self.retry(t.enrichFailed(Self.error(.availability, status: 429), reason: Self.reason)))
        #expect(limited.attemptDelta == 0 && limited.delay == .fixed(.seconds(10)))
        let flaky = try #require(
            Self.retry(t.enrichFailed(Self.error(.availability, status: 503), reason: Self.reason)))
        #expect(flaky.attemptDelta == 1 && flaky.delay == .backoff(afterAttempt: 3))
        let locked = try #require(
            Self.retry(t.enrichFailed(Self.error(.bookingInfo, status: 423), reason: Self.reason)))
        #expect(locked.attemptDelta == 0 && locked.cause == .askedToWait(status: 423))
        let token = try #require(Self.retry(t.enrichFailed(Self.error(.token, status: 400), reason: Self.reason)))
        #expect(token.cause == .tokenUnavailable && token.attemptDelta == 0)
        let last = try #require(
            Self.finish(Self.transition(Self.intent(attempts: 9)).enrichFailed(nil, reason: Self.reason)))
        #expect(last.status == .failed && last.attempts == 10)
        #expect(last.reason?.message == "gave up after 10 attempts: HubSpot says no")
        let uncertain = try #require(
            Self.retry(
                Self.transition(Self.intent(attempts: 1, uncertain: true)).enrichFailed(nil, reason: Self.reason)))
        #expect(uncertain.uncertain, "an intent claimed uncertain stays so until it is booked or finished")
    }

    @Test("the plan and the slot check: book, naming free round-robin reps; a start not offered fails with the next")
    func planned() throws {
        let t = Self.transition(Self.intent())
        let call = try BookingPlan.make(request: PipelineDecisionTests.request(), info: PipelineDecisionTests.info())
            .get()
        #expect(t.planned(call, linkType: "PERSONAL_LINK", slot: (true, [], [])) == .book(call))
        let busy = HubSpotUserBusyTimes(
            busyTimes: [.init(start: t.startMillis, end: t.startMillis + 60_000)],
            meetingsUser: .init(id: "771", userId: "5521"))
        let free = HubSpotUserBusyTimes(busyTimes: [], meetingsUser: .init(id: "772", userId: "5522"))
        guard
            case .book(let roundRobin) = t.planned(
                call, linkType: "ROUND_ROBIN_CALENDAR", slot: (true, [], [busy, free]))
        else {
            Issue.record("not booked")
            return
        }
        #expect(
            roundRobin.likelyAvailableUserIds
                == BookingPlan.likelyAvailableUserIds(
                    linkType: "ROUND_ROBIN_CALENDAR", busyTimes: [busy, free], startMillis: t.startMillis,
                    durationMillis: t.durationMillis))
        #expect(roundRobin.likelyAvailableUserIds == ["5522"], "the rep busy over the slot is left out")
        let next = [Date(timeIntervalSince1970: 1_796_310_000)]
        let end = try #require(Self.finish(t.planned(call, linkType: "PERSONAL_LINK", slot: (false, next, []))))
        #expect(end.status == .failed && end.attempts == 0)
        #expect(end.reason?.subCategory == "MEETING_START_TIME_NOT_VALID")
        #expect(end.reason?.suggestedStartTimes == next)
        #expect(end.reason?.message.contains("2026-12-03T14:30:00") == true)
        let refused = FailureReason(origin: "bridge", message: "no", subCategory: "REQUIRED_FORM_FIELD")
        #expect(t.planRefused(refused) == .finish(.init(status: .failed, reason: refused, attempts: 0)))
    }

    @Test("a delay resolves to at least its minimum and within the backoff's ceiling")
    func delays() {
        for _ in 0..<200 {
            let d = IntentTransition.Delay.backoff(afterAttempt: 3, atLeast: .seconds(2)).duration(Self.policy)
            #expect(d >= .seconds(2) && d <= Self.policy.ceiling(afterAttempt: 3))
        }
        #expect(IntentTransition.Delay.fixed(.seconds(5)).duration(Self.policy) == .seconds(5))
        #expect(IntentTransition.Delay.fixed(.seconds(1)).atLeast(.seconds(2)) == .fixed(.seconds(2)))
    }
}
