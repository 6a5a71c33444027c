import Foundation

/// The booking pipeline's decisions for one claimed intent, as a pure value: given the intent as it was claimed and
/// what was just observed, the next step. `BookingWorker` performs the steps (HubSpot calls, the store's writes)
/// and asks again after each observation; nothing here reads the clock, the network or the database.
///
/// The rules that keep a meeting from being booked twice live here:
/// - a booking call whose answer was not seen leaves the intent uncertain, and an uncertain intent is never booked
///   again before reconciliation (HubSpot's CRM, then availability) judged that the call did not book;
/// - reconciliation waits `reconcileDelay` after that call was sent, so a late call cannot land after the slot was
///   judged free;
/// - HubSpot refusing a taken slot after an uncertain attempt is `needs_review`, never a plain failure.
///
/// Waits that HubSpot never judged (no access token, a 423 or 477, a 429) are not failed attempts; every other
/// failure counts one, and the intent fails once `pipeline.maxAttempts` or `pipeline.maxAge` is reached.
struct IntentTransition: Sendable {
    let intent: IntentRecord
    let policy: RetryPolicy
    let reconcileDelay: Duration
    /// When the intent was claimed.
    let now: Date

    /// The requested start and length in epoch milliseconds, as HubSpot takes them.
    var startMillis: Int64 { HubSpotTimestamp.millis(intent.request.startTime) }
    var durationMillis: Int64 { Int64(intent.request.durationMinutes) * 60_000 }

    /// The least wait after HubSpot asked to wait (423, 477) or when no access token could be had.
    static let minimumWait = HubSpotErrorClassification.lockedMinimumDelay

    enum Step: Equatable, Sendable {
        /// Settle the unanswered booking call: ask HubSpot's CRM, then availability.
        case reconcile
        /// Reconciliation found the call did not book: clear the uncertain flag, then `beforeBooking()`.
        case bookAgain
        /// Read the link's booking info and availability, then `planned(_:linkType:slot:)`.
        case enrich
        /// Call HubSpot's book endpoint with this request (the in-flight mark first).
        case book(HubSpotBookingRequest)
        /// HubSpot refused the slot as taken: gather the next open starts and whether an earlier attempt went
        /// unanswered, then `slotRefused(_:uncertainBefore:)`.
        case judgeRefusedSlot(FailureReason)
        case retry(Retry)
        case finish(Finish)
    }

    /// Back to due later.
    struct Retry: Equatable, Sendable {
        var delay: Delay
        var reason: FailureReason
        var uncertain: Bool
        /// Added to the attempt count: 1 for a failed read, -1 to take back what the in-flight mark counted for a
        /// call HubSpot never judged, 0 otherwise.
        var attemptDelta = 0
        /// False while an unanswered booking call may still land: its send time is kept for reconciliation.
        var callSettled = true
        var cause: Cause

        enum Cause: Equatable, Sendable {
            /// A failure worth another try after the backoff.
            case failed
            /// No access token could be had: the credentials need fixing.
            case tokenUnavailable
            /// HubSpot said to come back later (423, 477) or the rate budget is spent.
            case askedToWait(status: Int?)
            /// The booking call's outcome was not seen.
            case outcomeUnknown
            /// Reconciliation waits until the unanswered call can no longer land.
            case awaitingReconciliation
            /// HubSpot's CRM could not be read to settle the unanswered call.
            case crmUnreadable
        }
    }

    /// A final status.
    struct Finish: Equatable, Sendable {
        var status: IntentStatus
        var reason: FailureReason?
        var attempts: Int
    }

    /// How long to wait: at least `minimum`, and at least the policy's backoff (full jitter) after
    /// `backoffAfterAttempt` attempts when that is set. Resolved by `duration(_:)`, the one random part.
    struct Delay: Equatable, Sendable {
        var minimum: Duration
        var backoffAfterAttempt: Int?

        static func fixed(_ duration: Duration) -> Delay { Delay(minimum: duration) }

        static func backoff(afterAttempt attempt: Int, atLeast minimum: Duration = .zero) -> Delay {
            Delay(minimum: minimum, backoffAfterAttempt: max(attempt, 1))
        }

        func atLeast(_ floor: Duration) -> Delay {
            Delay(minimum: max(minimum, floor), backoffAfterAttempt: backoffAfterAttempt)
        }

        func duration(_ policy: RetryPolicy) -> Duration {
            max(minimum, backoffAfterAttempt.map { policy.delay(afterAttempt: $0) } ?? .zero)
        }
    }

    // MARK: Claimed

    /// The first step for the intent as claimed.
    func onClaim() -> Step {
        guard intent.uncertain else { return beforeBooking() }
        if let sent = intent.bookStartedAt, now < sent.addingTimeInterval(reconcileDelay.seconds) {
            let wait = sent.addingTimeInterval(reconcileDelay.seconds).timeIntervalSince(now)
            return .retry(
                Retry(
                    delay: .fixed(.milliseconds(Int64(wait * 1000))),
                    reason: intent.lastError ?? FailureReason(origin: "network", message: "booking call unanswered"),
                    uncertain: true, callSettled: false, cause: .awaitingReconciliation))
        }
        return .reconcile
    }

    /// Before the link is read: give up once the attempts or the age are spent.
    func beforeBooking() -> Step {
        guard policy.isExhausted(attempts: intent.attempts, createdAt: intent.createdAt, now: now) else {
            return .enrich
        }
        var reason = intent.lastError ?? FailureReason(origin: "bridge", message: "")
        reason.message = Self.gaveUp(intent.attempts, intent.lastError?.message ?? "no attempt succeeded")
        return .finish(Finish(status: .failed, reason: reason, attempts: intent.attempts))
    }

    // MARK: Reconciliation

    /// HubSpot's CRM holds the meeting the unanswered call made: booked, or offline when the meeting has no
    /// calendar event id (as a booking answer without one is).
    func settledFromCRM(meetingId: String?, hasCalendarEvent: Bool) -> Finish {
        let reason =
            hasCalendarEvent
            ? nil
            : FailureReason(
                origin: "hubspot",
                message:
                    "HubSpot's CRM has a meeting for this contact at this start (meeting \(meetingId ?? "")) but no calendar event id: recorded as offline, as a booking answer without a calendarEventId is",
                subCategory: "OFFLINE")
        return Finish(status: hasCalendarEvent ? .booked : .offline, reason: reason, attempts: intent.attempts)
    }

    /// The CRM read failed (other than for a missing scope): stay due and uncertain, asked again later; never
    /// booked blindly.
    func crmReadFailed(_ error: HubSpotError?, reason: FailureReason) -> Step {
        var kept = reason
        kept.message =
            "could not read HubSpot's CRM to settle an unanswered booking call (asked again later): " + reason.message
        return .retry(
            Retry(
                delay: Self.delay(for: error, attempts: max(intent.attempts, 1)), reason: kept, uncertain: true,
                cause: .crmUnreadable))
    }

    /// The availability read of reconciliation failed: stay due and uncertain.
    func availabilityReadFailed(_ error: HubSpotError?, reason: FailureReason) -> Step {
        .retry(
            Retry(
                delay: Self.delay(for: error, attempts: intent.attempts), reason: reason, uncertain: true,
                cause: .failed))
    }

    /// What fresh availability says about the unanswered call; `crmNote` is what the CRM showed, when it was read.
    func reconciled(_ decision: Reconciliation, crmNote: String?) -> Step {
        switch decision {
        case .safeToBook:
            return .bookAgain
        case .needsReview(var evidence):
            if let crmNote { evidence += "; " + crmNote + " in HubSpot's CRM" }
            return .finish(
                Finish(
                    status: .needsReview,
                    reason: FailureReason(origin: "bridge", message: evidence, subCategory: "OUTCOME_UNKNOWN"),
                    attempts: intent.attempts))
        }
    }

    // MARK: Enrichment

    /// The bridge's own checks refused the request (duration, fields, consents, guests).
    func planRefused(_ reason: FailureReason) -> Step {
        .finish(Finish(status: .failed, reason: reason, attempts: intent.attempts))
    }

    /// The plan the link accepts and what availability says of its start: book, or fail with the next offered
    /// starts. On a round-robin link the reps not busy over the slot are named to HubSpot.
    func planned(
        _ call: HubSpotBookingRequest, linkType: String,
        slot: (offered: Bool, next: [Date], busyTimes: [HubSpotUserBusyTimes])
    ) -> Step {
        guard slot.offered else { return slotNotOffered(next: slot.next) }
        var call = call
        call.likelyAvailableUserIds = BookingPlan.likelyAvailableUserIds(
            linkType: linkType, busyTimes: slot.busyTimes, startMillis: startMillis, durationMillis: durationMillis)
        return .book(call)
    }

    /// The link does not offer the start: failed, with the next offered starts to pick from.
    private func slotNotOffered(next: [Date]) -> Step {
        let reason = FailureReason(
            origin: "bridge",
            message:
                "the meeting link does not offer \(HubSpotTimestamp.iso8601(millis: startMillis)) for \(intent.request.durationMinutes) minutes"
                + (next.isEmpty ? "" : "; the next offered starts are in suggestedStartTimes"),
            category: "VALIDATION_ERROR", subCategory: "MEETING_START_TIME_NOT_VALID", suggestedStartTimes: next)
        return .finish(Finish(status: .failed, reason: reason, attempts: intent.attempts))
    }

    /// Reading the link or its availability failed (`error` nil: not a HubSpot error).
    func enrichFailed(_ error: HubSpotError?, reason: FailureReason) -> Step {
        if let error, let wait = waitWithoutAttempt(error, reason: reason, uncertain: intent.uncertain, attemptDelta: 0)
        {
            return wait
        }
        switch error?.classification {
        case .permanent, .unauthorized:
            return .finish(Finish(status: .failed, reason: reason, attempts: intent.attempts))
        case .rateLimited:
            return .retry(
                Retry(
                    delay: Self.delay(for: error, attempts: intent.attempts), reason: reason,
                    uncertain: intent.uncertain, cause: .askedToWait(status: error?.status)))
        default:
            // A failed read counts as an attempt, so that a link HubSpot keeps failing on gives up in time.
            return failedAttempt(
                error, reason: reason, attempts: intent.attempts + 1, uncertain: intent.uncertain, attemptDelta: 1)
        }
    }

    // MARK: Booking

    /// The booking call failed (`error` nil: not a HubSpot error, so its outcome is unknown). The in-flight mark
    /// counted this call as an attempt.
    func bookFailed(_ error: HubSpotError?, reason: FailureReason) -> Step {
        let attempts = intent.attempts + 1
        if let error, let wait = waitWithoutAttempt(error, reason: reason, uncertain: false, attemptDelta: -1) {
            return wait
        }
        switch error?.classification ?? .uncertain {
        case .uncertain:
            // An answer (a 5xx) ends the call; without one it may still land, and reconciliation waits for it.
            let answered = error?.status != nil
            return .retry(
                Retry(
                    delay: .fixed(answered ? .milliseconds(500) : reconcileDelay), reason: reason, uncertain: true,
                    callSettled: answered, cause: .outcomeUnknown))
        case .retryable:
            return failedAttempt(error, reason: reason, attempts: attempts, uncertain: false, attemptDelta: 0)
        case .rateLimited:
            // HubSpot did not process the call: not a failed attempt.
            return .retry(
                Retry(
                    delay: Self.delay(for: error, attempts: attempts), reason: reason, uncertain: false,
                    attemptDelta: -1, cause: .askedToWait(status: error?.status)))
        case .permanent, .unauthorized:
            if error?.bookingRejection == .timeNotAvailable { return .judgeRefusedSlot(reason) }
            return .finish(Finish(status: .failed, reason: reason, attempts: attempts))
        }
    }

    /// HubSpot refused the slot as taken. After an earlier call whose answer was not seen, that call may have booked
    /// it: a person decides.
    func slotRefused(_ reason: FailureReason, uncertainBefore: Bool) -> Step {
        let attempts = intent.attempts + 1
        guard uncertainBefore || intent.uncertain else {
            return .finish(Finish(status: .failed, reason: reason, attempts: attempts))
        }
        var review = reason
        review.message =
            "HubSpot says the slot is taken, after an earlier booking call whose answer was not seen: that call may have booked it. "
            + reason.message
        return .finish(Finish(status: .needsReview, reason: review, attempts: attempts))
    }

    /// HubSpot answered 200: booked, or offline when HubSpot made no calendar event.
    func booked(_ response: HubSpotBookingResponse) -> Finish {
        Finish(
            status: response.isConfirmedMeeting ? .booked : .offline, reason: BookingPlan.offlineReason(response),
            attempts: intent.attempts + 1)
    }

    // MARK: Shared rules

    /// A wait HubSpot never judged: no access token could be had, or a 423/477. Nil for any other error.
    private func waitWithoutAttempt(
        _ error: HubSpotError, reason: FailureReason, uncertain: Bool, attemptDelta: Int
    ) -> Step? {
        if error.isTokenFailure {
            // The backoff's full jitter can draw almost nothing; a broken credential is not fixed within
            // milliseconds, and every intent of the account would ask HubSpot's token endpoint again at once.
            return .retry(
                Retry(
                    delay: Self.delay(for: error, attempts: intent.attempts + 1).atLeast(Self.minimumWait),
                    reason: reason, uncertain: uncertain, attemptDelta: attemptDelta, cause: .tokenUnavailable))
        }
        guard error.asksToWait else { return nil }
        let wait = max(error.retryAfter ?? .zero, Self.minimumWait, error.classification.waitHint ?? .zero)
        return .retry(
            Retry(
                delay: .fixed(wait), reason: reason, uncertain: uncertain, attemptDelta: attemptDelta,
                cause: .askedToWait(status: error.status)))
    }

    /// A failed attempt (the `attempts`-th): fails once the attempts or the age are spent, else waits the backoff.
    private func failedAttempt(
        _ error: HubSpotError?, reason: FailureReason, attempts: Int, uncertain: Bool, attemptDelta: Int
    ) -> Step {
        if policy.isExhausted(attempts: attempts, createdAt: intent.createdAt, now: now) {
            var final = reason
            final.message = Self.gaveUp(attempts, reason.message)
            return .finish(Finish(status: .failed, reason: final, attempts: attempts))
        }
        return .retry(
            Retry(
                delay: Self.delay(for: error, attempts: attempts), reason: reason, uncertain: uncertain,
                attemptDelta: attemptDelta, cause: .failed))
    }

    /// The wait after `error` on the `attempts`-th attempt: a rate limit's own (10 s when HubSpot gave none),
    /// otherwise the backoff, but not before a `Retry-After`.
    static func delay(for error: HubSpotError?, attempts: Int) -> Delay {
        switch error?.classification {
        case .rateLimited(_, let after): .fixed(after ?? .seconds(10))
        case .retryable(let after): .backoff(afterAttempt: attempts, atLeast: after ?? .zero)
        default: .backoff(afterAttempt: attempts)
        }
    }

    static func gaveUp(_ attempts: Int, _ message: String) -> String {
        "gave up after \(attempts) attempts: " + message
    }
}
