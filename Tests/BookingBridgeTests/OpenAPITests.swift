import AsyncHTTPClient
import BookingBridge
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import ServiceLifecycle
import Testing

@Suite("OpenAPI document")
struct OpenAPITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func documentText() throws -> String {
        try String(contentsOf: root.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
    }

    /// `(method, path template)` of every operation under `paths:`, read from the document's own layout (paths at
    /// two spaces, methods at four).
    static func documentedOperations() throws -> [(method: String, path: String)] {
        var operations: [(String, String)] = []
        var inPaths = false
        var path: String?
        let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch"]
        for line in try documentText().split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") && !line.isEmpty { inPaths = line == "paths:" }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                path = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":"),
                methods.contains(String(line.dropFirst(4).dropLast())), let path
            {
                operations.append((String(line.dropFirst(4).dropLast()).uppercased(), path))
            }
        }
        return operations
    }

    /// `(method, path template)` of every route the bridge's sources register, found by their
    /// `router.get("…")` / `group.post("…")` / `router.on("…", method: .options)` calls. Routes added to a group
    /// are under `/v1` (the admin group).
    static func registeredRoutes() throws -> Set<String> {
        let sources = root.appendingPathComponent("Sources/BookingBridge")
        guard let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil) else {
            return []
        }
        let call = try Regex(#"\b(router|group|admin)\.(get|post|put|patch|delete|head)\(\s*"([^"]+)""#)
        let on = try Regex(#"\b(router|group|admin)\.on\(\s*"([^"]+)",\s*method:\s*\.(\w+)"#)
        var routes: Set<String> = []
        func template(_ receiver: Substring, _ path: Substring) -> String {
            let trimmed = path.hasPrefix("/") ? String(path.dropFirst()) : String(path)
            return receiver == "router" ? "/" + trimmed : "/v1/" + trimmed
        }
        for case let file as URL in files where file.pathExtension == "swift" {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in text.matches(of: call) {
                guard let receiver = match.output[1].substring, let method = match.output[2].substring,
                    let path = match.output[3].substring
                else { continue }
                routes.insert("\(method.uppercased()) \(template(receiver, path))")
            }
            for match in text.matches(of: on) {
                guard let receiver = match.output[1].substring, let path = match.output[2].substring,
                    let method = match.output[3].substring
                else { continue }
                routes.insert("\(method.uppercased()) \(template(receiver, path))")
            }
        }
        return routes
    }

    @Test("the embedded document is docs/openapi.yaml, byte for byte")
    func embeddedMatchesFile() throws {
        #expect(OpenAPIDocument.yaml == (try Self.documentText()), "run scripts/embed-openapi")
    }

    @Test("every route in the sources is documented, and every documented operation exists in the sources")
    func documentCoversSourceRoutes() throws {
        let documented = Set(try Self.documentedOperations().map { "\($0.method) \($0.path)" })
        let registered = try Self.registeredRoutes()
        #expect(documented.count >= 20)
        #expect(registered.subtracting(documented).isEmpty, "registered but not documented")
        #expect(documented.subtracting(registered).isEmpty, "documented but not registered")
    }

    @Test("every documented operation reaches its route in a running bridge (seen in /metrics by route template)")
    func documentMatchesRunningBridge() async throws {
        let operations = try Self.documentedOperations()
        try await TestDatabase.withFreshDatabase(migrate: true) { database, url in
            var configuration = BridgeConfiguration()
            configuration.databaseURL = url
            configuration.host = "127.0.0.1"
            configuration.port = 0
            configuration.adminToken = "openapi-test-token"
            configuration.hubspot.baseURL = "http://127.0.0.1:9"
            configuration.hubspot.accessToken = "unused"
            // Slot and booking-page reads try HubSpot (nothing listens): give up well within the request timeout.
            configuration.hubspot.requestTimeoutSeconds = 2
            configuration.sources["demo"] = SourceConfiguration(
                auth: .public(allowedOrigins: [], honeypotField: nil), slug: "jane-doe/intro-30", durationMinutes: 30,
                timezone: "UTC")
            var logger = Logger(label: "openapi-test")
            logger.logLevel = .critical
            let bridge = BridgeApplication(
                configuration: configuration, database: database, httpClient: HTTPClient.shared, logger: logger)
            let group = ServiceGroup(
                services: bridge.services(), gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                defer { tasks.cancelAll() }
                let port = try await bridge.boundPort.wait()
                let base = "http://127.0.0.1:\(port)"
                for (method, path) in operations {
                    let concrete = Self.concrete(path)
                    var request = HTTPClientRequest(url: base + concrete)
                    request.method = .init(rawValue: method)
                    request.headers.add(name: "Authorization", value: "Bearer openapi-test-token")
                    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                    _ = try await response.body.collect(upTo: 1 << 20)
                    // Routes that read HubSpot (unreachable here) may say so with 502 or 503; nothing else may fail.
                    let readsHubSpot = path.hasPrefix("/v1/sources/") || path.hasPrefix("/book/")
                    #expect(
                        response.status.code < 500 || (readsHubSpot && [502, 503].contains(response.status.code)),
                        "\(method) \(concrete) answered \(response.status.code)")
                }
                let metrics = try await HTTPClient.shared.execute(
                    HTTPClientRequest(url: base + "/metrics"), timeout: .seconds(10))
                let text = String(buffer: try await metrics.body.collect(upTo: 8 << 20))
                for (method, path) in operations {
                    #expect(
                        text.contains(#"bookingbridge_http_requests_total{method="\#(method)",route="\#(path)","#),
                        "\(method) \(path) did not reach a route with that template")
                }
                await group.triggerGracefulShutdown()
            }
        }
    }

    /// A path with its parameters filled in.
    static func concrete(_ template: String) -> String {
        let id = template.hasPrefix("/v1/deliveries") ? "1" : "00000000-0000-4000-8000-000000000000"
        return template.replacingOccurrences(of: "{source}", with: "demo").replacingOccurrences(of: "{id}", with: id)
    }
}
