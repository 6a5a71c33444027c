import HTTPTypes
import Hummingbird
import NIOCore
import Prometheus

/// `GET /metrics`: everything the process's swift-metrics collected, in the Prometheus text format.
///
/// Not behind the admin token: Prometheus scrapers rarely send one, and the text holds counts, never personal data
/// or secrets. Keep the port off the public internet (or filter `/metrics` at the ingress) where that matters.
public struct MetricsController: Sendable {
    /// The Prometheus text exposition format, version 0.0.4.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    let registry: PrometheusCollectorRegistry

    /// - Parameter registry: the registry `MetricsSetup.bootstrap()` returned.
    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    /// Adds `GET /metrics`.
    public func addRoutes(to router: Router<BridgeRequestContext>) {
        router.get("metrics") { _, _ in
            self.response()
        }
    }

    /// The current exposition.
    public func response() -> Response {
        let bytes = registry.emitToBuffer()
        return Response(
            status: .ok, headers: [.contentType: Self.contentType, .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
