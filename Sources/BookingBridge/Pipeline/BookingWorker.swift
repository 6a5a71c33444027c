import Foundation
import Logging
import Metrics
import PostgresNIO

/// Takes one claimed intent as far as it can go: reconcile (if an earlier call's outcome is unknown), enrich,
/// book, and persist the outcome with its webhook deliveries in one transaction.
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

    private func run(_ intent: IntentRecord, logger: Logger) async throws {
        let request = intent.request
        let durationMillis = Int64(request.durationMinutes) * 60_000
        let startMillis = Int64((request.startTime.timeIntervalSince1970 * 1000).rounded())
        var everUncertain = intent.uncertain

        if intent.uncertain {
            // An unanswered call may still land: reconcile only once it no longer can.
            if let sent = intent.bookStartedAt, Date() < sent.addingTimeInterval(reconcileDelay.seconds) {
                let wait = sent.addingTimeInterval(reconcileDelay.seconds).timeIntervalSinceNow
                try await retryLater(
                    intent, after: .milliseconds(Int64(max(wait, 0) * 1000)),
                    reason: intent.lastError ?? FailureReason(origin: "network", message: "booking call unanswered"),
                    uncertain: true, callSettled: false, logger: logger)
                return
            }
            let crmOutcome = try await reconcileFromCRM(
                intent, startMillis: startMillis, durationMillis: durationMillis, logger: logger)
            var crmNote: String?
            switch crmOutcome {
            case .settled: return
            case .notFound: crmNote = CRMEvidence.notFoundNote
            case .unavailable: crmNote = nil
            }
            let started = Date()
            let clock = ContinuousClock.now
            let decision: Reconciliation
            do {
                let info = try await catalog.bookingInfo(slug: request.slug, timezone: request.timezone)
                let offset = BookingPlan.monthOffset(of: request.startTime, now: Date(), timezone: request.timezone)
                let page = try await api.availabilityPage(
                    slug: request.slug, timezone: request.timezone, monthOffset: offset)
                let slot = BookingPlan.checkSlot(
                    startMillis: startMillis, durationMillis: durationMillis, pages: [page.linkAvailability])
                decision = Reconciliation.decide(
                    linkType: info.linkType, slotOffered: slot.offered, busyTimes: page.allUsersBusyTimes,
                    startMillis: startMillis, durationMillis: durationMillis)
            } catch {
                let reason = try await recordFailedReconcile(error, intent, started: started, clock: clock)
                try await retryLater(
                    intent, after: Self.delay(for: error, policy: policy, attempts: intent.attempts),
                    reason: reason, uncertain: true, logger: logger)
                return
            }
            try await BookingStore.record(
                .init(stage: "reconcile", outcome: "ok", startedAt: started, duration: ContinuousClock.now - clock),
                intentID: intent.id, database: database)
            switch decision {
            case .needsReview(var evidence):
                if let crmNote { evidence += "; " + crmNote + " in HubSpot's CRM" }
                logger.warning(
                    "booking outcome unknown and slot gone: needs review", metadata: ["evidence": "\(evidence)"])
                try await finish(
                    intent, status: .needsReview,
                    reason: FailureReason(origin: "bridge", message: evidence, subCategory: "OUTCOME_UNKNOWN"),
                    attempts: intent.attempts, logger: logger)
                return
            case .safeToBook:
                logger.info("earlier booking call did not book (slot still free): booking again")
                guard try await store.clearUncertain(id: intent.id, owner: owner) else { throw LeaseLost() }
            }
        }

        if policy.isExhausted(attempts: intent.attempts, createdAt: intent.createdAt, now: Date()) {
            var reason = intent.lastError ?? FailureReason(origin: "bridge", message: "")
            reason.message =
                "gave up after \(intent.attempts) attempts: " + (intent.lastError?.message ?? "no attempt succeeded")
            try await finish(intent, status: .failed, reason: reason, attempts: intent.attempts, logger: logger)
            return
        }

        // Enrich: what the link accepts, and whether it offers this start.
        let enrichStarted = ContinuousClock.now
        let bookingCall: HubSpotBookingRequest
        do {
            let info = try await catalog.bookingInfo(slug: request.slug, timezone: request.timezone)
            switch BookingPlan.make(request: request, info: info) {
            case .failure(let reason):
                try await finish(intent, status: .failed, reason: reason, attempts: intent.attempts, logger: logger)
                return
            case .success(var call):
                // A round-robin slot held for one rep may still be free with another: HubSpot decides those.
                let slot = try await availability.check(
                    slug: request.slug, startMillis: startMillis, durationMillis: durationMillis, intentID: intent.id,
                    subtractHolds: info.linkType != "ROUND_ROBIN_CALENDAR")
                guard slot.offered else {
                    let reason = FailureReason(
                        origin: "bridge",
                        message:
                            "the meeting link does not offer \(HubSpotTimestamp.iso8601(millis: startMillis)) for \(request.durationMinutes) minutes"
                            + (slot.next.isEmpty ? "" : "; the next offered starts are in suggestedStartTimes"),
                        category: "VALIDATION_ERROR", subCategory: "MEETING_START_TIME_NOT_VALID",
                        suggestedStartTimes: slot.next)
                    try await finish(intent, status: .failed, reason: reason, attempts: intent.attempts, logger: logger)
                    return
                }
                call.likelyAvailableUserIds = BookingPlan.likelyAvailableUserIds(
                    linkType: info.linkType, busyTimes: slot.busyTimes, startMillis: startMillis,
                    durationMillis: durationMillis)
                bookingCall = call
            }
        } catch {
            let reason = Self.reason(error)
            PipelineMetrics.stage(.enrich, since: enrichStarted)
            let hubSpotError = error as? HubSpotError
            if let hubSpotError, hubSpotError.isTokenFailure || hubSpotError.asksToWait {
                // Not a failed attempt: no token to call with, or HubSpot asked to wait.
                try await waitWithoutAttempt(
                    intent, error: hubSpotError, reason: reason, uncertain: everUncertain, attemptDelta: 0,
                    logger: logger)
                return
            }
            switch hubSpotError?.classification {
            case .permanent, .unauthorized:
                try await finish(intent, status: .failed, reason: reason, attempts: intent.attempts, logger: logger)
            case .rateLimited:
                try await retryLater(
                    intent, after: Self.delay(for: error, policy: policy, attempts: intent.attempts),
                    reason: reason, uncertain: everUncertain, logger: logger)
            default:
                // A failed read counts as an attempt, so that a link HubSpot keeps failing on gives up in time.
                let attempts = intent.attempts + 1
                if policy.isExhausted(attempts: attempts, createdAt: intent.createdAt, now: Date()) {
                    var final = reason
                    final.message = "gave up after \(attempts) attempts: " + reason.message
                    try await finish(intent, status: .failed, reason: final, attempts: attempts, logger: logger)
                } else {
                    try await retryLater(
                        intent, after: Self.delay(for: error, policy: policy, attempts: attempts), reason: reason,
                        uncertain: everUncertain, attemptDelta: 1, logger: logger)
                }
            }
            return
        }
        PipelineMetrics.stage(.enrich, since: enrichStarted)

        // Book: leave evidence first, so a crash mid-call is reconciled, never blindly retried.
        guard try await store.markBookingInFlight(id: intent.id, owner: owner, lease: lease) else { throw LeaseLost() }
        try await availability.store.hold(
            intentID: intent.id, slug: request.slug, startMillis: startMillis, endMillis: startMillis + durationMillis)
        let attempts = intent.attempts + 1
        let started = Date()
        let clock = ContinuousClock.now
        let response: HubSpotBookingResponse
        do {
            response = try await api.book(bookingCall)
        } catch {
            let elapsed = ContinuousClock.now - clock
            PipelineMetrics.stage(.book, since: clock)
            let hubSpotError = error as? HubSpotError
            let classification = hubSpotError?.classification ?? .uncertain
            var reason = Self.reason(error)
            let attempt = BookingStore.Attempt(
                stage: "book", outcome: Self.outcome(error), startedAt: started, duration: elapsed,
                httpStatus: hubSpotError?.status, correlationId: hubSpotError?.correlationId, error: reason)
            if let hubSpotError, hubSpotError.isTokenFailure || hubSpotError.asksToWait {
                // HubSpot did not book: there was no token to call with, or it said to come back later. The
                // in-flight mark counted an attempt; take it back.
                try await BookingStore.record(attempt, intentID: intent.id, database: database)
                try await waitWithoutAttempt(
                    intent, error: hubSpotError, reason: reason, uncertain: false, attemptDelta: -1, logger: logger)
                return
            }
            switch classification {
            case .uncertain:
                everUncertain = true
                logger.warning("booking call outcome unknown; will reconcile", metadata: ["error": "\(reason.message)"])
                try await BookingStore.record(attempt, intentID: intent.id, database: database)
                // An answer (a 5xx) ends the call; without one it may still land, and reconciliation waits.
                let answered = hubSpotError?.status != nil
                try await retryLater(
                    intent, after: answered ? .milliseconds(500) : reconcileDelay, reason: reason, uncertain: true,
                    callSettled: answered, logger: logger)
            case .retryable(let after):
                try await BookingStore.record(attempt, intentID: intent.id, database: database)
                if policy.isExhausted(attempts: attempts, createdAt: intent.createdAt, now: Date()) {
                    reason.message = "gave up after \(attempts) attempts: " + reason.message
                    try await finish(intent, status: .failed, reason: reason, attempts: attempts, logger: logger)
                } else {
                    let delay = max(after ?? .zero, policy.delay(afterAttempt: attempts))
                    try await retryLater(intent, after: delay, reason: reason, uncertain: false, logger: logger)
                }
            case .rateLimited(_, let retryAfter):
                // HubSpot did not process the call: it is not a failed attempt.
                try await BookingStore.record(attempt, intentID: intent.id, database: database)
                try await retryLater(
                    intent, after: retryAfter ?? .seconds(10), reason: reason, uncertain: false, attemptDelta: -1,
                    logger: logger)
            case .permanent, .unauthorized:
                if hubSpotError?.bookingRejection == .timeNotAvailable {
                    await availability.invalidate(slug: request.slug)
                    // The visitor gets the next open starts to pick from (one fresh read, only on a refusal).
                    if let fresh = try? await availability.check(
                        slug: request.slug, startMillis: startMillis, durationMillis: durationMillis,
                        intentID: intent.id, subtractHolds: true), !fresh.offered
                    {
                        reason.suggestedStartTimes = fresh.next
                    }
                    var uncertainBefore = everUncertain
                    if !uncertainBefore { uncertainBefore = try await hadUncertainAttempt(intent.id) }
                    if uncertainBefore {
                        reason.message =
                            "HubSpot says the slot is taken, after an earlier booking call whose answer was not seen: that call may have booked it. "
                            + reason.message
                        try await finish(
                            intent, status: .needsReview, reason: reason, attempts: attempts, attempt: attempt,
                            logger: logger)
                        return
                    }
                }
                try await finish(
                    intent, status: .failed, reason: reason, attempts: attempts, attempt: attempt, logger: logger)
            }
            return
        }

        // HubSpot answered 200. From here on the answer must not be lost: if it cannot be recorded, say so loudly
        // with the meeting's ids (the intent's uncertain flag sends it to reconciliation, then to review).
        let elapsed = ContinuousClock.now - clock
        PipelineMetrics.stage(.book, since: clock)
        let status: IntentStatus = response.isConfirmedMeeting ? .booked : .offline
        let attempt = BookingStore.Attempt(
            stage: "book", outcome: status == .booked ? "ok" : "offline", startedAt: started, duration: elapsed,
            httpStatus: 200)
        let reason = BookingPlan.offlineReason(response)
        do {
            try await finish(
                intent, status: status, reason: reason, attempts: attempts, booking: response, attempt: attempt,
                logger: logger)
        } catch {
            logger.error(
                "HubSpot booked the meeting but the outcome could not be recorded; the intent will be reconciled and reviewed",
                metadata: [
                    "calendar_event_id": "\(response.calendarEventId)", "contact_id": "\(response.contactId)",
                    "start": "\(HubSpotTimestamp.iso8601(millis: response.startMillis))",
                    "error": "\(String(reflecting: error))",
                ])
            throw error
        }
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
    enum CRMOutcome {
        /// The intent is finished (a meeting was found) or rescheduled (the CRM could not be read).
        case settled
        /// The CRM was read and holds no meeting for this booking.
        case notFound
        /// The CRM cannot be read with this token (403): decide by availability alone.
        case unavailable
    }

    /// Asks HubSpot's CRM whether the unanswered booking call made the meeting. Found: the intent ends booked (or
    /// offline, when the meeting has no calendar event id, as a booking answer without one does) from that
    /// evidence, with `reconciled` on its event. A 403 falls back to availability; any other failure leaves the
    /// intent due (uncertain) to be asked again later, never booked blindly.
    private func reconcileFromCRM(
        _ intent: IntentRecord, startMillis: Int64, durationMillis: Int64, logger: Logger
    ) async throws -> CRMOutcome {
        if crmScope.paused { return .unavailable }
        let request = intent.request
        let started = Date()
        let clock = ContinuousClock.now
        let firstCall =
            try await BookingStore.firstBookingCall(intentID: intent.id, database: database) ?? intent.bookStartedAt
            ?? intent.createdAt
        let evidence: CRMEvidence
        do {
            let database = self.database
            evidence = try await crm.lookUp(
                email: request.email, startMillis: startMillis, firstCallMillis: HubSpotTimestamp.millis(firstCall),
                recordedElsewhere: { contactId in
                    try await BookingStore.calendarEventIds(
                        contactId: contactId, start: HubSpotTimestamp.date(startMillis), otherThan: intent.id,
                        database: database)
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
            var kept = reason
            kept.message =
                "could not read HubSpot's CRM to settle an unanswered booking call (asked again later): "
                + reason.message
            logger.warning(
                "CRM read for reconciliation failed; the intent stays due", metadata: ["error": "\(kept.message)"])
            try await retryLater(
                intent, after: Self.delay(for: error, policy: policy, attempts: max(intent.attempts, 1)),
                reason: kept, uncertain: true, logger: logger)
            return .settled
        }
        let json = try IntentStore.json(evidence)
        let attempt = BookingStore.Attempt(
            stage: "reconcile", outcome: "ok", startedAt: started, duration: ContinuousClock.now - clock,
            evidence: json)
        guard evidence.found else {
            try await BookingStore.record(attempt, intentID: intent.id, database: database)
            logger.info(
                "no meeting in HubSpot's CRM for the unanswered booking call",
                metadata: ["searched": "\(evidence.searched)"])
            return .notFound
        }
        let booking = CRMReconciliation.booking(
            evidence, request: request, startMillis: startMillis, durationMillis: durationMillis)
        var reason: FailureReason?
        if !booking.isConfirmedMeeting {
            reason = FailureReason(
                origin: "hubspot",
                message:
                    "HubSpot's CRM has a meeting for this contact at this start (meeting \(evidence.meetingId ?? "")) but no calendar event id: recorded as offline, as a booking answer without a calendarEventId is",
                subCategory: "OFFLINE")
        }
        logger.info(
            "unanswered booking call settled from HubSpot's CRM",
            metadata: [
                "meeting_id": "\(evidence.meetingId ?? "")", "contact_id": "\(evidence.contactId ?? "")",
                "calendar_event_id": "\(evidence.calendarEventId ?? "")",
            ])
        PipelineMetrics.count("bookingbridge_reconciled_from_crm_total", [:])
        try await finish(
            intent, status: booking.isConfirmedMeeting ? .booked : .offline, reason: reason,
            attempts: intent.attempts, booking: booking, attempt: attempt, reconciled: evidence, logger: logger)
        return .settled
    }

    /// Reschedules an intent whose call HubSpot never judged (no access token could be had, or a 423/477 asked to
    /// wait): after `Retry-After` (at least 2 s) or the backoff, without counting an attempt. A token failure is
    /// reported at error level: every booking of the account waits until the credentials work again.
    private func waitWithoutAttempt(
        _ intent: IntentRecord, error: HubSpotError, reason: FailureReason, uncertain: Bool, attemptDelta: Int,
        logger: Logger
    ) async throws {
        let delay: Duration
        if error.isTokenFailure {
            delay = Self.delay(for: error, policy: policy, attempts: intent.attempts + 1)
            PipelineMetrics.count("bookingbridge_token_unavailable_total", ["account": HubSpotCallLog.account(logger)])
            logger.error(
                "no HubSpot access token: the OAuth refresh failed; the intent stays due and is retried",
                metadata: ["error": "\(error.message)", "retry_in_ms": "\(delay.milliseconds)"])
        } else {
            delay = max(
                error.retryAfter ?? .zero, HubSpotErrorClassification.lockedMinimumDelay,
                error.classification.waitHint ?? .zero)
            logger.warning(
                "HubSpot asked to wait (\(error.status ?? 0)); not a failed attempt",
                metadata: ["retry_in_ms": "\(delay.milliseconds)"])
        }
        try await retryLater(
            intent, after: delay, reason: reason, uncertain: uncertain, attemptDelta: attemptDelta, logger: logger)
    }

    /// Whether any earlier attempt for the intent ended without its outcome being seen.
    private func hadUncertainAttempt(_ id: UUID) async throws -> Bool {
        let rows = try await database.query(
            "SELECT EXISTS (SELECT 1 FROM attempts WHERE intent_id = \(id) AND outcome = 'uncertain')",
            logger: database.logger)
        for try await exists in rows.decode(Bool.self) { return exists }
        return false
    }

    private func retryLater(
        _ intent: IntentRecord, after delay: Duration, reason: FailureReason, uncertain: Bool, attemptDelta: Int = 0,
        callSettled: Bool = true, logger: Logger
    ) async throws {
        let at = Date().addingTimeInterval(delay.seconds)
        logger.info(
            "booking will be retried",
            metadata: ["in_ms": "\(delay.milliseconds)", "reason": "\(reason.message)", "uncertain": "\(uncertain)"])
        guard
            try await store.reschedule(
                id: intent.id, owner: owner, at: at, reason: reason, uncertain: uncertain, attemptDelta: attemptDelta,
                callSettled: callSettled)
        else { throw LeaseLost() }
        PipelineMetrics.count("bookingbridge_intent_retries_total", ["uncertain": "\(uncertain)"])
    }

    /// Ends the intent: final status, booking row, attempt and the event's deliveries in one transaction. Retries
    /// the transaction while the database is unreachable, because a booking HubSpot made must not be forgotten.
    private func finish(
        _ intent: IntentRecord, status: IntentStatus, reason: FailureReason?, attempts: Int,
        booking: HubSpotBookingResponse? = nil, attempt: BookingStore.Attempt? = nil, reconciled: CRMEvidence? = nil,
        logger: Logger
    ) async throws {
        let owner = self.owner
        // The rep comes from the booking info enrichment read; an event never waits for a HubSpot call of its own.
        let info = await catalog.cachedBookingInfo(slug: intent.request.slug, timezone: intent.request.timezone)
        var built = BookingEventData(
            intent: intent, status: status, attempts: attempts, booking: booking.map(BookingEventData.Booking.init),
            reason: reason, rep: info.flatMap(BookingEventData.Rep.host))
        if let reconciled {
            built.reconciled = true
            built.booking?.meetingId = reconciled.meetingId
        }
        let data = built
        var delay: Duration = .milliseconds(200)
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            do {
                try await database.withTransaction(logger: logger) { connection in
                    guard
                        try await IntentStore.finish(
                            id: intent.id, owner: owner, status: status, reason: reason, attempts: attempts,
                            on: connection, logger: logger)
                    else { throw LeaseLost() }
                    if let booking {
                        try await BookingStore.insert(
                            intentID: intent.id, slug: intent.request.slug, response: booking, on: connection,
                            logger: logger)
                    }
                    if let attempt {
                        try await BookingStore.record(attempt, intentID: intent.id, on: connection, logger: logger)
                    }
                    // A booked (or possibly booked) slot stays held; any other outcome frees it.
                    try await AvailabilityStore.settle(
                        intentID: intent.id, booked: status == .booked || status == .needsReview, on: connection,
                        logger: logger)
                    if let type = status.eventType {
                        _ = try await Outbox.enqueue(
                            type: type, data: data, source: intent.source, intentID: intent.id, on: connection,
                            logger: logger)
                    }
                }
                break
            } catch let error as PostgresTransactionError {
                if error.closureError is LeaseLost { throw LeaseLost() }
                guard ContinuousClock.now < deadline, !Task.isCancelled else { throw error }
                logger.warning(
                    "could not record the outcome yet; retrying", metadata: ["error": "\(String(reflecting: error))"])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
        onEventsCommitted()
        PipelineMetrics.count("bookingbridge_intents_finished_total", ["status": status.rawValue])
        let level: Logger.Level = status == .booked ? .info : .warning
        logger.log(
            level: level, "intent finished",
            metadata: ["status": "\(status.rawValue)", "attempts": "\(attempts)", "reason": "\(reason?.message ?? "")"])
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

    static func delay(for error: any Error, policy: RetryPolicy, attempts: Int) -> Duration {
        switch (error as? HubSpotError)?.classification {
        case .rateLimited(_, let after): after ?? .seconds(10)
        case .retryable(let after): max(after ?? .zero, policy.delay(afterAttempt: max(attempts, 1)))
        default: policy.delay(afterAttempt: max(attempts, 1))
        }
    }
}
