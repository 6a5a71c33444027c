import Foundation
import Logging
import Metrics
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

extension HubSpotClient {
    /// One API call: token, budget, exchange, budget report, then decode or classify. Retries once after a 401
    /// with a refreshed token; nothing else is retried here (the pipeline owns retries).
    func perform<T: Decodable & Sendable>(
        _ endpoint: HubSpotEndpoint, method: HTTPMethod, path: String, body: ByteBuffer?
    ) async throws -> T {
        var token = try await tokenProvider.token()
        var refreshed = false
        while true {
            let permit = try await acquire(endpoint)
            var headers = [("Authorization", "Bearer " + token), ("Accept", "application/json")]
            if body != nil { headers.append(("Content-Type", "application/json")) }
            let response: HubSpotTransport.Response
            do {
                response = try await transport.send(method: method, path: path, headers: headers, body: body)
            } catch {
                await report(permit, .noAnswer(sent: error.mayHaveBeenSent))
                let hubSpotError = HubSpotError(
                    facts: HubSpotFailureFacts(
                        endpoint: endpoint, transport: error.kind, requestMayHaveBeenSent: error.mayHaveBeenSent))
                HubSpotCallLog.failure(
                    endpoint: endpoint, method: method.rawValue, path: path, failure: error,
                    classification: hubSpotError.classification, logger: logger)
                throw hubSpotError
            }
            let now = HubSpotTimestamp.millis(Date())
            let errorBody =
                (200..<300).contains(response.status)
                ? nil : try? JSONDecoder().decode(HubSpotErrorBody.self, from: response.body)
            let retryAfter = HubSpotRateObservation.retryAfterMillis(response.headers["retry-after"], nowMillis: now)
            let observation = HubSpotRateObservation(
                status: response.status, headers: response.headers, policyName: errorBody?.policyName,
                retryAfterMillis: retryAfter, limits: configuration.limits, nowMillis: now)
            await report(permit, observation)

            if (200..<300).contains(response.status) {
                do {
                    let value = try JSONDecoder().decode(T.self, from: response.body)
                    HubSpotCallLog.success(
                        endpoint: endpoint, method: method.rawValue, path: path, response: response, logger: logger)
                    return value
                } catch {
                    let hubSpotError = HubSpotError(
                        facts: HubSpotFailureFacts(endpoint: endpoint, status: response.status),
                        message: "could not read HubSpot's \(response.status) answer: \(error)")
                    HubSpotCallLog.answer(
                        endpoint: endpoint, method: method.rawValue, path: path, response: response,
                        error: hubSpotError, logger: logger)
                    throw hubSpotError
                }
            }

            let facts = HubSpotFailureFacts(
                endpoint: endpoint, status: response.status, body: errorBody,
                retryAfter: retryAfter.map { .milliseconds($0) },
                canRefreshToken: tokenProvider.canRefresh && !refreshed)
            let page =
                errorBody == nil
                ? HubSpotErrorBody.pageDescription(
                    status: response.status, contentType: response.headers["content-type"],
                    body: String(buffer: response.body))
                : nil
            var hubSpotError = HubSpotError(facts: facts, message: page)
            if hubSpotError.correlationId == nil {
                hubSpotError.correlationId = HubSpotCallLog.correlationID(response.headers, nil)
            }
            HubSpotCallLog.answer(
                endpoint: endpoint, method: method.rawValue, path: path, response: response, error: hubSpotError,
                logger: logger)
            reportPause(observation)
            if hubSpotError.classification == .unauthorized {
                refreshed = true
                token = try await tokenProvider.tokenAfterUnauthorized(rejected: token)
                continue
            }
            throw hubSpotError
        }
    }

    /// Counts a pause of the account's calls that HubSpot's answer asked for; a spent daily limit is an error.
    private func reportPause(_ observation: HubSpotRateObservation) {
        guard let policy = observation.pausePolicy, observation.pauseMillis != nil else { return }
        Counter(
            label: "hubspot_rate_pauses_total",
            dimensions: [("policy", policy.rawValue), ("account", HubSpotCallLog.account(logger))]
        )
        .increment()
        if policy == .daily {
            logger.error(
                "HubSpot's daily API limit is used up: calls of this account pause until the next reset",
                metadata: ["account": "\(configuration.account)", "pause_ms": "\(observation.pauseMillis ?? 0)"])
        }
    }

    /// Waits for a slot of the account's budget, at most `maxBudgetWait`; beyond that fails `.rateLimited`
    /// without calling HubSpot. A budget that cannot be reached fails `.retryable` (nothing was sent). While it
    /// waits, `HubSpotBudgetWait.current` knows (the booking pipeline frees the workers of the account).
    func acquire(_ endpoint: HubSpotEndpoint) async throws -> HubSpotRatePermit {
        let account = configuration.account
        let giveUp = ContinuousClock.now + configuration.maxBudgetWait
        var waiting = false
        defer { if waiting { HubSpotBudgetWait.current?.ended() } }
        while true {
            let decision: HubSpotRateDecision
            do {
                var limits = configuration.limits
                limits.perWindow = max(limits.perWindow - configuration.budgetReserve, 0)
                decision = try await budget.take(account: account, limits: limits)
            } catch {
                throw HubSpotError(
                    endpoint: endpoint, classification: .retryable(after: .seconds(1)),
                    message: "the HubSpot rate budget is unavailable: \(String(reflecting: error))")
            }
            switch decision {
            case .granted(let permit):
                Gauge(label: "hubspot_rate_budget_remaining", dimensions: [("account", account)])
                    .record(permit.remaining)
                return permit
            case .wait(let millis, let policy):
                let wait = Duration.milliseconds(millis)
                if ContinuousClock.now + wait > giveUp {
                    Counter(
                        label: "hubspot_calls_total",
                        dimensions: [
                            ("endpoint", endpoint.rawValue), ("outcome", "budget_exhausted"),
                            ("account", HubSpotCallLog.account(logger)),
                        ]
                    )
                    .increment()
                    logger.warning(
                        "HubSpot call budget exhausted; not calling",
                        metadata: ["account": "\(account)", "policy": "\(policy.rawValue)", "wait_ms": "\(millis)"])
                    throw HubSpotError(
                        endpoint: endpoint, classification: .rateLimited(policy: policy, retryAfter: wait),
                        message: "the HubSpot call budget of account \(account) is used up (\(policy.rawValue)); "
                            + "next call possible in \(millis) ms",
                        policyName: policy.rawValue, retryAfter: wait)
                }
                if !waiting {
                    waiting = true
                    HubSpotBudgetWait.current?.began()
                }
                // A little jitter keeps waiting callers of many processes from asking all at once.
                let jitter = Int64.random(in: 0...min(50, max(1, millis / 10)))
                do {
                    try await Task.sleep(for: .milliseconds(millis + jitter))
                } catch {
                    throw HubSpotError(
                        endpoint: endpoint, classification: .retryable(after: nil),
                        message: "cancelled while waiting for the HubSpot call budget; nothing was sent")
                }
            }
        }
    }

    /// Reports a call's end to the budget. A failure here is logged, never thrown: a booking HubSpot made must
    /// not be lost to bookkeeping (the call then counts until its in-flight bound ends).
    func report(_ permit: HubSpotRatePermit, _ observation: HubSpotRateObservation) async {
        do {
            try await budget.finish(permit, observation: observation, limits: configuration.limits)
        } catch {
            logger.warning(
                "could not report a HubSpot call to the rate budget",
                metadata: ["error": "\(String(reflecting: error))"])
        }
    }
}
