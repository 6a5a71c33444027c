import CoreMetrics
import Metrics
import Prometheus

/// Connects swift-metrics to one Prometheus registry for the whole process.
///
/// swift-metrics may be bootstrapped only once per process, and a metric object made before the bootstrap stays a
/// no-op for its whole life. So the composition root calls `bootstrap()` before it creates any component, and every
/// later call (tests build many bridges in one process) returns the same registry.
public enum MetricsSetup {
    /// Initialised once, thread-safely, on first use.
    private static let shared: PrometheusCollectorRegistry = {
        let current = MetricsSystem.factory
        if let prometheus = current as? PrometheusMetricsFactory {
            // Someone bootstrapped Prometheus already (a host program, a test): export what it collects.
            return prometheus.registry
        }
        let registry = PrometheusCollectorRegistry()
        guard current is NOOPMetricsHandler else {
            // Another backend is in place; bootstrapping again would crash the process. `/metrics` then shows only
            // what is registered on this registry directly.
            return registry
        }
        MetricsSystem.bootstrap(factory(registry: registry))
        return registry
    }()

    /// Bootstraps swift-metrics with Prometheus (once per process) and returns the registry `/metrics` exports.
    @discardableResult
    public static func bootstrap() -> PrometheusCollectorRegistry { shared }

    /// Histogram buckets for the bridge's timers. HubSpot and webhook calls can take up to their timeouts, so those
    /// go further than Prometheus's defaults; HTTP answers and database probes are fast.
    static let slowBuckets: [Duration] = [
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(20), .seconds(30),
        .seconds(60),
    ]

    static func factory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5),
            .seconds(10), .seconds(30),
        ]
        for label in [
            "bookingbridge_stage_duration_seconds", "hubspot_call_duration_seconds",
            "webhook_delivery_duration_seconds",
        ] {
            factory.durationHistogramBuckets[label] = slowBuckets
        }
        return factory
    }
}
