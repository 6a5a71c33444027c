import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Metrics
import NIOCore
import Prometheus
import Testing

@testable import BookingBridge

@Suite("Metrics")
struct MetricsTests {
    @Test("bootstrap can be called any number of times and always gives the same registry")
    func bootstrapIsIdempotent() async {
        let first = MetricsSetup.bootstrap()
        let others = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 { group.addTask { MetricsSetup.bootstrap() === first } }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(others.allSatisfy { $0 })
        Counter(label: "bookingbridge_test_bootstrap_total").increment()
        #expect(first.emitToString().contains("bookingbridge_test_bootstrap_total 1"))
    }

    @Test("GET /metrics counts answers by route template and status, and times them")
    func httpMetricsByRouteTemplate() async throws {
        let registry = MetricsSetup.bootstrap()
        let router = Router(context: BridgeRequestContext.self)
        router.add(middleware: HTTPMetricsMiddleware())
        router.add(middleware: ProblemMiddleware())
        router.get("metrics-test/{id}") { _, context in
            guard context.parameters.get("id") != "missing" else { throw Problem(.notFound, detail: "no such thing") }
            return "ok"
        }
        MetricsController(registry: registry).addRoutes(to: router)
        let app = Application(router: router, logger: Logger(label: "metrics-test"))
        try await app.test(.router) { client in
            for id in ["1", "2", "missing"] {
                try await client.execute(uri: "/metrics-test/\(id)", method: .get) { _ in }
            }
            try await client.execute(uri: "/no-such-route-\(UUID().uuidString)", method: .get) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == MetricsController.contentType)
                let text = String(buffer: response.body)
                #expect(
                    text.contains(
                        #"bookingbridge_http_requests_total{method="GET",route="/metrics-test/{id}",status="200"} 2"#))
                #expect(
                    text.contains(
                        #"bookingbridge_http_requests_total{method="GET",route="/metrics-test/{id}",status="404"} 1"#))
                #expect(text.contains(#"route="NotFound",status="404""#))
                #expect(
                    text.contains(
                        #"bookingbridge_http_request_duration_seconds_count{method="GET",route="/metrics-test/{id}"} 3"#
                    ))
                #expect(!text.contains("/metrics-test/1"), "concrete paths must not become labels")
                #expect(text.contains("# TYPE bookingbridge_http_request_duration_seconds histogram"))
            }
        }
    }

    @Test("intake posts are counted by configured source and outcome; unknown names share one label")
    func intakeOutcomes() async throws {
        let registry = MetricsSetup.bootstrap()
        let router = Router(context: BridgeRequestContext.self)
        router.add(middleware: HTTPMetricsMiddleware(intakeSources: ["metrics-known"]))
        router.add(middleware: ProblemMiddleware())
        router.post("/v1/intake/{source}") { _, context in
            switch context.parameters.get("source") {
            case "metrics-known": return Response(status: .accepted)
            default: throw Problem(.notFound, detail: "no intake source has that name")
            }
        }
        let app = Application(router: router, logger: Logger(label: "metrics-test"))
        try await app.test(.router) { client in
            try await client.execute(uri: "/v1/intake/metrics-known", method: .post) { _ in }
            try await client.execute(uri: "/v1/intake/metrics-known", method: .post) { _ in }
            try await client.execute(uri: "/v1/intake/\(UUID().uuidString)", method: .post) { _ in }
        }
        let text = registry.emitToString()
        #expect(
            text.contains(#"bookingbridge_intake_submissions_total{outcome="accepted",source="metrics-known"} 2"#))
        #expect(text.contains(#"bookingbridge_intake_submissions_total{outcome="unknown_source",source="unknown"}"#))
        #expect(HTTPMetricsMiddleware<BridgeRequestContext>.intakeOutcome(.unprocessableContent) == "invalid")
        #expect(HTTPMetricsMiddleware<BridgeRequestContext>.intakeOutcome(.tooManyRequests) == "rate_limited")
    }

    @Test("made-up HTTP methods share one label value")
    func methodLabel() {
        #expect(HTTPMetricsMiddleware<BridgeRequestContext>.method(.post) == "POST")
        #expect(HTTPMetricsMiddleware<BridgeRequestContext>.method(HTTPRequest.Method("BREW")!) == "other")
    }

    @Test("the database probe reports the pool size, the server's connections and that the database is up")
    func databaseProbe() async throws {
        let registry = MetricsSetup.bootstrap()
        try await TestDatabase.withFreshDatabase { database in
            let probe = MetricsDatabaseProbe(database: database, poolSize: 7)
            await probe.sample()
            let text = registry.emitToString()
            #expect(text.contains("bookingbridge_db_up 1"))
            #expect(text.contains(#"bookingbridge_db_connections{state="active"}"#))
            #expect(text.contains("bookingbridge_db_probe_seconds_count"))
            #expect(text.contains("bookingbridge_db_server_max_connections"))
            #expect(text.contains(#"bookingbridge_intents{status="needs_review"}"#))
            #expect(text.contains("bookingbridge_deliveries_due"))
            #expect(text.contains("bookingbridge_deliveries_oldest_due_seconds"))
        }
    }
}
