import CoreMetrics
import Metrics

/// The dispatcher's metrics: `webhook_deliveries_total{outcome}` (what each attempt led to: delivered, retry,
/// failed, gone), `webhook_delivery_attempts_total{result}` (what the subscriber did), the attempt duration
/// `webhook_delivery_duration_seconds`, and the `webhook_pending_deliveries` gauge.
struct WebhookMetrics: Sendable {
    private let decisions: [String: Counter]
    private let results: [String: Counter]
    private let duration: Timer
    private let pending: Gauge

    static let decisionLabels = ["delivered", "retry", "failed", "gone"]
    static let resultLabels = [
        "delivered", "http_error", "gone", "throttled", "redirect", "timeout", "transport_error", "refused",
    ]

    init() {
        decisions = Dictionary(
            uniqueKeysWithValues: Self.decisionLabels.map {
                ($0, Counter(label: "webhook_deliveries_total", dimensions: [("outcome", $0)]))
            })
        results = Dictionary(
            uniqueKeysWithValues: Self.resultLabels.map {
                ($0, Counter(label: "webhook_delivery_attempts_total", dimensions: [("result", $0)]))
            })
        duration = Timer(label: "webhook_delivery_duration_seconds", preferredDisplayUnit: .seconds)
        pending = Gauge(label: "webhook_pending_deliveries")
    }

    func record(result: WebhookAttemptResult, decision: WebhookRetryPolicy.Decision, duration elapsed: Duration) {
        let label: String
        switch decision {
        case .delivered: label = "delivered"
        case .retry: label = "retry"
        case .failed: label = "failed"
        case .gone: label = "gone"
        }
        decisions[label]?.increment()
        results[result.outcome]?.increment()
        duration.recordNanoseconds(
            elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }

    func recordPending(_ count: Int) { pending.record(count) }
}
