import Foundation
import Logging
import Metrics
import PostgresNIO

/// Takes one claimed intent as far as it can go: reconcile (if an earlier call's outcome is unknown), enrich,
/// book, and persist the outcome with its webhook deliveries in one transaction. What happens after each
/// observation is `IntentTransition`'s decision; this type performs the calls and writes it asks for.
struct BookingWorker: Sendable {
    let database: Database
    let store: IntentStore
    let api: any SchedulerAPI
    /// CRM reads of reconciliation (the same account, yielding to bookings in its budget).
    let crm: CRMReconciliation
    /// Whether the CRM refused for a missing scope (shared by the copies of this worker).
    let crmScope: CRMScopeNotice
    let catalog: LinkCatalog
    /// The shared availability cache (visitors read the same pages) and the slots the bridge holds.
    let availability: AvailabilityCache
    let policy: RetryPolicy
    /// How long a claim lasts; renewed when the booking call leaves.
    let lease: Duration
    /// How long after an unanswered booking call to wait before reconciling.
    let reconcileDelay: Duration
    let owner: String
    let logger: Logger
    let onEventsCommitted: @Sendable () -> Void

    /// The lease was lost to another worker: stop touching the intent (the other worker owns it now).
    struct LeaseLost: Error {}

    func process(_ intent: IntentRecord) async {
        var logger = self.logger
        logger[metadataKey: "intent_id"] = "\(intent.id)"
        logger[metadataKey: "source"] = "\(intent.source)"
        do {
            try await run(intent, logger: logger)
        } catch is LeaseLost {
            logger.warning("lost the lease on an intent; another worker has it")
        } catch {
            // Only database trouble gets here. The lease expires and the intent is claimed again; the
            // `uncertain` flag tells the next worker whether a booking call may have been in flight.
            logger.error("could not record an intent's progress", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    /// What the steps so far produced that the intent's final write keeps.
    private struct Evidence {
        /// The call that decided the outcome, recorded with it.
        var attempt: BookingStore.Attempt?
        var booking: HubSpotBookingResponse?
        /// The CRM meeting that settled an unanswered call.
        var reconciled: CRMEvidence?
    }

    /// Performs `IntentTransition`'s steps until the intent is rescheduled or finished.
    private func run(_ intent: IntentRecord, logger: Logger) async throws {
        let transition = IntentTransition(intent: intent, policy: policy, reconcileDelay: reconcileDelay, now: Date())
        var evidence = Evidence()
        var step = transition.onClaim()
        while true {
            switch step {
            case .reconcile:
                step = try await reconcile(transition, evidence: &evidence, logger: logger)
            case .bookAgain:
                logger.info("earlier booking call did not book (slot still free): booking again")
                guard try await store.clearUncertain(id: intent.id, owner: owner) else { throw LeaseLost() }
                step = transition.beforeBooking()
            case .enrich:
                step = try await enrich(transition, logger: logger)
            case .book(let call):
                step = try await book(call, transition, evidence: &evidence, logger: logger)
            case .judgeRefusedSlot(let reason):
                step = transition.slotRefused(
                    try await withNextStarts(reason, transition),
                    uncertainBefore: try await BookingStore.hadUncertainAttempt(intentID: intent.id, database: database)
                )
            case .retry(let retry):
                if let attempt = evidence.attempt {
                    try await BookingStore.record(attempt, intentID: intent.id, database: database)
                }
                try await reschedule(intent, retry, logger: logger)
                return
            case .finish(let end):
                try await finish(intent, end, evidence: evidence, logger: logger)
                return
            }
        }
    }

    /// Settles an unanswered booking call: HubSpot's CRM first, then fresh availability.
    private func reconcile(
        _ transition: IntentTransition, evidence: inout Evidence, logger: Logger
    ) async throws -> IntentTransition.Step {
        let intent = transition.intent
        var crmNote: String?
        switch try await reconcileFromCRM(transition, evidence: &evidence, logger: logger) {
        case .step(let step): return step
        case .notFound: crmNote = CRMEvidence.notFoundNote
        case .unavailable: crmNote = nil
        }
        let request = intent.request
        let started = Date()
        let clock = ContinuousClock.now
        let decision: Reconciliation
        do {
            let info = try await catalog.bookingInfo(slug: request.slug, timezone: request.timezone)
            let offset = BookingPlan.monthOffset(of: request.startTime, now: Date(), timezone: request.timezone)
            let page = try await api.availabilityPage(
                slug: request.slug, timezone: request.timezone, monthOffset: offset)
            let slot = BookingPlan.checkSlot(
                startMillis: transition.startMillis, durationMillis: transition.durationMillis,
                pages: [page.linkAvailability])
            decision = Reconciliation.decide(
                linkType: info.linkType, slotOffered: slot.offered, busyTimes: page.allUsersBusyTimes,
                startMillis: transition.startMillis, durationMillis: transition.durationMillis)
        } catch {
            let reason = try await recordFailedReconcile(error, intent, started: started, clock: clock)
            return transition.availabilityReadFailed(error as? HubSpotError, reason: reason)
        }
        try await BookingStore.record(
            .init(stage: "reconcile", outcome: "ok", startedAt: started, duration: ContinuousClock.now - clock),
            intentID: intent.id, database: database)
        let step = transition.reconciled(decision, crmNote: crmNote)
        if case .finish(let end) = step {
            logger.warning(
                "booking outcome unknown and slot gone: needs review",
                metadata: ["evidence": "\(end.reason?.message ?? "")"])
        }
        return step
    }

    /// Reads the link's booking info and checks its start against availability.
    private func enrich(_ transition: IntentTransition, logger: Logger) async throws -> IntentTransition.Step {
        let request = transition.intent.request
        let started = ContinuousClock.now
        defer { PipelineMetrics.stage(.enrich, since: started) }
        do {
            let info = try await catalog.bookingInfo(slug: request.slug, timezone: request.timezone)
            switch BookingPlan.make(request: request, info: info) {
            case .failure(let reason):
                return transition.planRefused(reason)
            case .success(let call):
                // A round-robin slot held for one rep may still be free with another: HubSpot decides those.
                let slot = try await availability.check(
                    slug: request.slug, startMillis: transition.startMillis,
                    durationMillis: transition.durationMillis, intentID: transition.intent.id,
                    subtractHolds: info.linkType != "ROUND_ROBIN_CALENDAR")
                return transition.planned(call, linkType: info.linkType, slot: slot)
            }
        } catch {
            return transition.enrichFailed(error as? HubSpotError, reason: Self.reason(error))
        }
    }

    /// Calls HubSpot's book endpoint, leaving evidence first so that a crash mid-call is reconciled, never blindly
    /// retried.
    private func book(
        _ call: HubSpotBookingRequest, _ transition: IntentTransition, evidence: inout Evidence, logger: Logger
    ) async throws -> IntentTransition.Step {
        let intent = transition.intent
        guard try await store.markBookingInFlight(id: intent.id, owner: owner, lease: lease) else { throw LeaseLost() }
        try await availability.store.hold(
            intentID: intent.id, slug: intent.request.slug, startMillis: transition.startMillis,
            endMillis: transition.startMillis + transition.durationMillis)
        let started = Date()
        let clock = ContinuousClock.now
        do {
            let response = try await api.book(call)
            PipelineMetrics.stage(.book, since: clock)
            let end = transition.booked(response)
            evidence.booking = response
            evidence.attempt = BookingStore.Attempt(
                stage: "book", outcome: end.status == .booked ? "ok" : "offline", startedAt: started,
                duration: ContinuousClock.now - clock, httpStatus: 200)
            return .finish(end)
        } catch {
            PipelineMetrics.stage(.book, since: clock)
            let hubSpotError = error as? HubSpotError
            let reason = Self.reason(error)
            evidence.attempt = BookingStore.Attempt(
                stage: "book", outcome: Self.outcome(error), startedAt: started, duration: ContinuousClock.now - clock,
                httpStatus: hubSpotError?.status, correlationId: hubSpotError?.correlationId, error: reason)
            return transition.bookFailed(hubSpotError, reason: reason)
        }
    }

    /// A slot HubSpot refused as taken: the visitor gets the next open starts to pick from (one fresh read, only on
    /// a refusal).
    private func withNextStarts(_ reason: FailureReason, _ transition: IntentTransition) async throws -> FailureReason {
        let request = transition.intent.request
        await availability.invalidate(slug: request.slug)
        var reason = reason
        if let fresh = try? await availability.check(
            slug: request.slug, startMillis: transition.startMillis, durationMillis: transition.durationMillis,
            intentID: transition.intent.id, subtractHolds: true), !fresh.offered
        {
            reason.suggestedStartTimes = fresh.next
        }
        return reason
    }

    /// Records a reconcile step that failed with `error` (its reason, status and correlation id) and returns the
    /// reason.
    private func recordFailedReconcile(
        _ error: any Error, _ intent: IntentRecord, started: Date, clock: ContinuousClock.Instant
    ) async throws -> FailureReason {
        let reason = Self.reason(error)
        try await BookingStore.record(
            .init(
                stage: "reconcile", outcome: Self.outcome(error), startedAt: started,
                duration: ContinuousClock.now - clock, httpStatus: reason.httpStatus,
                correlationId: reason.correlationId, error: reason),
            intentID: intent.id, database: database)
        return reason
    }

    /// What asking the CRM settled.
    private enum CRMOutcome {
        /// The CRM decided the next step: the meeting was found, or the CRM could not be read.
        case step(IntentTransition.Step)
        /// The CRM was read and holds no meeting for this booking.
        case notFound
        /// The CRM cannot be read with this token (403): decide by availability alone.
        case unavailable
    }

    /// Asks HubSpot's CRM whether the unanswered booking call made the meeting. Found: the intent ends booked (or
    /// offline) from that evidence, with `reconciled` on its event. A 403 falls back to availability; any other
    /// failure leaves the intent due (uncertain) to be asked again later, never booked blindly.
    private func reconcileFromCRM(
        _ transition: IntentTransition, evidence: inout Evidence, logger: Logger
    ) async throws -> CRMOutcome {
        if crmScope.paused { return .unavailable }
        let intent = transition.intent
        let request = intent.request
        let started = Date()
        let clock = ContinuousClock.now
        let firstCall =
            try await BookingStore.firstBookingCall(intentID: intent.id, database: database) ?? intent.bookStartedAt
            ?? intent.createdAt
        let found: CRMEvidence
        do {
            let database = self.database
            found = try await crm.lookUp(
                email: request.email, startMillis: transition.startMillis,
                firstCallMillis: HubSpotTimestamp.millis(firstCall),
                recordedElsewhere: { contactId in
                    try await BookingStore.calendarEventIds(
                        contactId: contactId, start: HubSpotTimestamp.date(transition.startMillis),
                        otherThan: intent.id, database: database)
                })
        } catch let error as HubSpotError where error.isMissingScope {
            _ = try await recordFailedReconcile(error, intent, started: started, clock: clock)
            if crmScope.missing() {
                logger.warning(
                    "HubSpot's CRM refused the reconciliation read (403): uncertain bookings are settled by availability alone; grant the token the scope \(HubSpotCRMScope.contactsRead) to settle them from the CRM",
                    metadata: ["scope": "\(HubSpotCRMScope.contactsRead)", "error": "\(error.message)"])
            }
            return .unavailable
        } catch {
            let reason = try await recordFailedReconcile(error, intent, started: started, clock: clock)
            return .step(transition.crmReadFailed(error as? HubSpotError, reason: reason))
        }
        let attempt = BookingStore.Attempt(
            stage: "reconcile", outcome: "ok", startedAt: started, duration: ContinuousClock.now - clock,
            evidence: try IntentStore.json(found))
        guard found.found else {
            try await BookingStore.record(attempt, intentID: intent.id, database: database)
            logger.info(
                "no meeting in HubSpot's CRM for the unanswered booking call",
                metadata: ["searched": "\(found.searched)"])
            return .notFound
        }
        let booking = CRMReconciliation.booking(
            found, request: request, startMillis: transition.startMillis, durationMillis: transition.durationMillis)
        logger.info(
            "unanswered booking call settled from HubSpot's CRM",
            metadata: [
                "meeting_id": "\(found.meetingId ?? "")", "contact_id": "\(found.contactId ?? "")",
                "calendar_event_id": "\(found.calendarEventId ?? "")",
            ])
        PipelineMetrics.count("bookingbridge_reconciled_from_crm_total", [:])
        evidence.attempt = attempt
        evidence.booking = booking
        evidence.reconciled = found
        return .step(
            .finish(
                transition.settledFromCRM(meetingId: found.meetingId, hasCalendarEvent: booking.isConfirmedMeeting)))
    }

    /// Puts the intent back to due after `retry.delay`, logging why.
    private func reschedule(_ intent: IntentRecord, _ retry: IntentTransition.Retry, logger: Logger) async throws {
        let delay = retry.delay.duration(policy)
        switch retry.cause {
        case .tokenUnavailable:
            PipelineMetrics.count("bookingbridge_token_unavailable_total", ["account": HubSpotCallLog.account(logger)])
            logger.error(
                "no HubSpot access token: the OAuth refresh failed; the intent stays due and is retried",
                metadata: ["error": "\(retry.reason.message)", "retry_in_ms": "\(delay.milliseconds)"])
        case .askedToWait(let status):
            logger.warning(
                "HubSpot asked to wait (\(status.map(String.init) ?? "rate budget")); not a failed attempt",
                metadata: ["retry_in_ms": "\(delay.milliseconds)"])
        case .outcomeUnknown:
            logger.warning(
                "booking call outcome unknown; will reconcile", metadata: ["error": "\(retry.reason.message)"])
        case .crmUnreadable:
            logger.warning(
                "CRM read for reconciliation failed; the intent stays due",
                metadata: ["error": "\(retry.reason.message)"])
        case .failed, .awaitingReconciliation:
            break
        }
        logger.info(
            "booking will be retried",
            metadata: [
                "in_ms": "\(delay.milliseconds)", "reason": "\(retry.reason.message)",
                "uncertain": "\(retry.uncertain)",
            ])
        guard
            try await store.reschedule(
                id: intent.id, owner: owner, at: Date().addingTimeInterval(delay.seconds), reason: retry.reason,
                uncertain: retry.uncertain, attemptDelta: retry.attemptDelta, callSettled: retry.callSettled)
        else { throw LeaseLost() }
        PipelineMetrics.count("bookingbridge_intent_retries_total", ["uncertain": "\(retry.uncertain)"])
    }

    /// Ends the intent in one transaction (`IntentOutcomeStore`). A booking HubSpot made that cannot be recorded is
    /// logged with the meeting's ids: the intent's uncertain flag sends it to reconciliation, then to review.
    private func finish(
        _ intent: IntentRecord, _ end: IntentTransition.Finish, evidence: Evidence, logger: Logger
    ) async throws {
        // The rep comes from the booking info enrichment read; an event never waits for a HubSpot call of its own.
        let info = await catalog.cachedBookingInfo(slug: intent.request.slug, timezone: intent.request.timezone)
        var event = BookingEventData(
            intent: intent, status: end.status, attempts: end.attempts,
            booking: evidence.booking.map(BookingEventData.Booking.init), reason: end.reason,
            rep: info.flatMap(BookingEventData.Rep.host))
        if let reconciled = evidence.reconciled {
            event.reconciled = true
            event.booking?.meetingId = reconciled.meetingId
        }
        let outcome = IntentOutcomeStore.Outcome(
            status: end.status, reason: end.reason, attempts: end.attempts, booking: evidence.booking,
            attempt: evidence.attempt, event: event)
        do {
            guard
                try await IntentOutcomeStore.commit(
                    outcome, intent: intent, owner: owner, database: database, logger: logger)
            else { throw LeaseLost() }
        } catch {
            if let booking = evidence.booking {
                logger.error(
                    "HubSpot booked the meeting but the outcome could not be recorded; the intent will be reconciled and reviewed",
                    metadata: [
                        "calendar_event_id": "\(booking.calendarEventId)", "contact_id": "\(booking.contactId)",
                        "start": "\(HubSpotTimestamp.iso8601(millis: booking.startMillis))",
                        "error": "\(String(reflecting: error))",
                    ])
            }
            throw error
        }
        onEventsCommitted()
        PipelineMetrics.count("bookingbridge_intents_finished_total", ["status": end.status.rawValue])
        logger.log(
            level: end.status == .booked ? .info : .warning, "intent finished",
            metadata: [
                "status": "\(end.status.rawValue)", "attempts": "\(end.attempts)",
                "reason": "\(end.reason?.message ?? "")",
            ])
    }

    /// The reason kept on the intent for an error.
    static func reason(_ error: any Error) -> FailureReason {
        if let e = error as? HubSpotError {
            return FailureReason(
                origin: e.status == nil ? "network" : "hubspot", message: e.message, httpStatus: e.status,
                category: e.category, subCategory: e.subCategory, correlationId: e.correlationId)
        }
        return FailureReason(origin: "network", message: "\(error)")
    }

    static func outcome(_ error: any Error) -> String {
        guard let e = error as? HubSpotError else { return "uncertain" }
        switch e.classification {
        case .permanent: return "permanent"
        case .retryable: return "retryable"
        case .rateLimited: return "rate_limited"
        case .unauthorized: return "unauthorized"
        case .uncertain: return "uncertain"
        }
    }
}
