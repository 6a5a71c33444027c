import Foundation
import Logging
import PostgresNIO

extension WebhookDispatcher {
    /// One attempt of one claimed delivery, start to finish. Tells `DispatchState` once that the request is over
    /// (`requestOver`, before the attempt is recorded) and, unless it was cancelled, once that the attempt is recorded
    /// or will not be (`recordedAttempt`, possibly after this returns). Only an attempt that may disable its
    /// subscription waits for its record here; the others are handed to the recorder and this task ends (one task
    /// switch fewer per delivery).
    func deliver(_ delivery: ClaimedDelivery) async {
        let startedAt = Date()
        let clock = ContinuousClock.now
        let attempt: WebhookSender.Attempt
        do {
            attempt = try await sender.send(delivery)
        } catch {
            // Cancelled: behave as if killed. The lease brings the delivery back.
            requestOver(delivery, recording: false)
            return
        }
        let duration = ContinuousClock.now - clock
        requestOver(delivery, recording: true)
        let decision = policy.decide(
            attempt.result, attempt: delivery.attempt, now: Date(), random: Double.random(in: 0..<1))
        metrics.record(result: attempt.result, decision: decision, duration: duration)
        let outcome = DeliveryAttemptOutcome(
            deliveryID: delivery.id, subscriptionID: delivery.subscriptionID, attempt: delivery.attempt,
            startedAt: startedAt, duration: duration, result: attempt.result, decision: decision,
            address: attempt.address, responseBody: attempt.responseBody, error: attempt.error)
        if case .gone = decision {
            // Disabled before the delivery is released, so it cannot be claimed again in between.
            await disableSubscription(delivery, reason: .gone, attempt: attempt, logger: logger(for: delivery))
        }
        var failingTooLong = false
        switch decision {
        case .retry, .failed:
            if let since = delivery.failingSince, Date().timeIntervalSince(since) >= settings.disableAfter.seconds {
                failingTooLong = true
            }
        case .gone, .delivered:
            break
        }
        let written: @Sendable (Result<Bool, any Error>) -> Bool = { result in
            self.written(result, delivery: delivery, attempt: attempt, decision: decision)
        }
        guard failingTooLong else {
            recorder.submit(outcome) { result in
                _ = written(result)
                self.recordedAttempt()
            }
            return
        }
        let ok = await withCheckedContinuation { continuation in
            recorder.submit(outcome) { continuation.resume(returning: written($0)) }
        }
        recordedAttempt()
        if ok {
            await disableSubscription(delivery, reason: .failing, attempt: attempt, logger: logger(for: delivery))
        }
    }

    /// The logger of one delivery's lines: made only when something is logged (setting a logger's metadata copies
    /// it, on every delivery).
    private func logger(for delivery: ClaimedDelivery) -> Logger {
        var logger = self.logger
        logger[metadataKey: "delivery_id"] = "\(delivery.id)"
        logger[metadataKey: "webhook_id"] = "\(delivery.eventID)"
        return logger
    }

    /// Logs what became of a recorded attempt; false when it was not recorded.
    private func written(
        _ result: Result<Bool, any Error>, delivery: ClaimedDelivery, attempt: WebhookSender.Attempt,
        decision: WebhookRetryPolicy.Decision
    ) -> Bool {
        switch result {
        case .success(let held):
            if !held {
                logger(for: delivery).notice(
                    "the delivery's lease ran out before its attempt was recorded; another dispatcher has it")
            }
            if decision != .delivered || logger.logLevel <= .debug {  // a success is logged at debug only
                log(delivery, attempt: attempt, decision: decision, logger: logger(for: delivery))
            }
            return true
        case .failure(let error):
            // Unrecorded, the lease brings the delivery back: at least once, never lost.
            // (Called on the recorder's writing task, which the dispatcher's cancellation does not reach.)
            if !(error is DeliveryRecorder.Closed) {
                logger(for: delivery).error(
                    "could not record a delivery attempt", metadata: ["error": "\(String(reflecting: error))"])
            }
            return false
        }
    }

    private func log(
        _ delivery: ClaimedDelivery, attempt: WebhookSender.Attempt, decision: WebhookRetryPolicy.Decision,
        logger: Logger
    ) {
        var metadata: Logger.Metadata = ["attempt": "\(delivery.attempt)", "result": "\(attempt.result.outcome)"]
        if case .response(let status, _) = attempt.result { metadata["status"] = "\(status)" }
        if let error = attempt.error { metadata["error"] = "\(error)" }
        switch decision {
        case .delivered:
            logger.debug("webhook delivered", metadata: metadata)
        case .retry(let after):
            metadata["retry_in_ms"] = "\(after.milliseconds)"
            logger.info("webhook attempt failed; will retry", metadata: metadata)
        case .failed:
            logger.warning("webhook delivery failed after its last attempt", metadata: metadata)
        case .gone:
            logger.warning("subscriber answered 410 Gone", metadata: metadata)
        }
    }

    /// Disables the subscription (once, whoever gets there first) and tells the other subscriptions that want to
    /// know with a `subscription.disabled` event, in one transaction.
    func disableSubscription(
        _ delivery: ClaimedDelivery, reason: Subscription.DisabledReason, attempt: WebhookSender.Attempt, logger: Logger
    ) async {
        let (logger, secrets) = (logger, database.secrets)
        do {
            let announced = try await database.withTransaction(logger: logger) { connection -> Bool in
                guard
                    let subscription = try await SubscriptionStore.disable(
                        id: delivery.subscriptionID, reason: reason, secrets: secrets, on: connection,
                        logger: logger)
                else { return false }
                var statusCode: Int?
                if case .response(let status, _) = attempt.result { statusCode = status }
                let data = SubscriptionDisabledData(
                    subscriptionId: subscription.id.uuidString.lowercased(), url: subscription.url,
                    description: subscription.description,
                    reason: reason.rawValue, disabledAt: subscription.disabledAt ?? Date(),
                    failingSince: subscription.failingSince, lastStatusCode: statusCode, lastError: attempt.error)
                _ = try await Outbox.enqueue(
                    type: WebhookEventType.subscriptionDisabled, data: data, source: nil, intentID: nil,
                    excluding: subscription.id, on: connection, logger: logger)
                return true
            }
            // Disabled now (by this call or an earlier one): what is queued for it stays unsent.
            subscriptionDisabled(delivery.subscriptionID)
            if announced {
                logger.warning(
                    "webhook subscription disabled",
                    metadata: ["subscription_id": "\(delivery.subscriptionID)", "reason": "\(reason.rawValue)"])
                wake()
            }
        } catch {
            let cause = (error as? PostgresTransactionError)?.closureError ?? error
            logger.error("could not disable a subscription", metadata: ["error": "\(String(reflecting: cause))"])
        }
    }
}
