import AsyncHTTPClient
import Foundation
import HubSpotSandbox
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Testing

/// An embedded sandbox on a free port and an HTTP client to talk to it, for the `Sandbox*` suites.
struct TestSandbox: Sendable {
    let sandbox: HubSpotSandbox
    let baseURL: String

    static let scheduler = "/scheduler/2026-03/meetings/meeting-links"

    /// Runs `body` against a started sandbox and stops it afterwards, also when `body` throws.
    static func with<T: Sendable>(
        _ configure: @Sendable (inout SandboxConfiguration) -> Void = { _ in },
        _ body: @Sendable (TestSandbox) async throws -> T
    ) async throws -> T {
        var configuration = SandboxConfiguration()
        configuration.port = 0
        configure(&configuration)
        var logger = Logger(label: "sandbox-test")
        logger.logLevel =
            ProcessInfo.processInfo.environment["TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        let sandbox = HubSpotSandbox(configuration: configuration, logger: logger)
        try await sandbox.start()
        let harness = TestSandbox(sandbox: sandbox, baseURL: await sandbox.baseURL)
        do {
            let result = try await body(harness)
            await sandbox.stop()
            return result
        } catch {
            await sandbox.stop()
            throw error
        }
    }

    /// Sends one request; `json` is serialised with JSONSerialization so tests can send anything, malformed included.
    func call(
        _ method: HTTPMethod,
        _ path: String,
        token: String? = "sandbox-token",
        json: Any? = nil,
        body: String? = nil,
        contentType: String? = nil
    ) async throws -> SandboxReply {
        var request = HTTPClientRequest(url: self.baseURL + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let json {
            let data = try JSONSerialization.data(withJSONObject: json)
            request.body = .bytes(ByteBuffer(data: data))
            request.headers.add(name: "Content-Type", value: contentType ?? "application/json")
        } else if let body {
            request.body = .bytes(ByteBuffer(string: body))
            request.headers.add(name: "Content-Type", value: contentType ?? "application/json")
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 8 << 20)
        return SandboxReply(status: Int(response.status.code), headers: response.headers, body: Data(buffer: bytes))
    }

    /// A book request for `slug` with valid values everywhere; override keys with `changes` (`NSNull()` removes one).
    static func bookBody(slug: String, start: Int64, duration: Int64, _ changes: [String: Any] = [:]) -> [String: Any] {
        var body: [String: Any] = [
            "slug": slug,
            "startTime": TestSandbox.iso(start),
            "duration": duration,
            "email": "ada@lovelace.dev",
            "firstName": "Ada",
            "lastName": "Lovelace",
            "formFields": [] as [Any],
            "legalConsentResponses": [] as [Any],
            "likelyAvailableUserIds": [] as [Any],
            "timezone": "Europe/London",
            "locale": "en-gb",
        ]
        for (key, value) in changes {
            if value is NSNull { body.removeValue(forKey: key) } else { body[key] = value }
        }
        return body
    }

    /// Offered starts of `slug` for `duration` across every availability page.
    func offeredStarts(slug: String, duration: Int64, timezone: String = "UTC") async throws -> [Int64] {
        var starts: [Int64] = []
        for offset in 0..<4 {
            let page = try await self.call(.GET, Self.availabilityPath(slug, timezone: timezone, monthOffset: offset))
            #expect(page.status == 200)
            let availability = try page.object()["linkAvailability"] as? [String: Any]
            let byDuration = availability?["linkAvailabilityByDuration"] as? [String: Any]
            let entry = byDuration?[String(duration)] as? [String: Any]
            for slot in entry?["availabilities"] as? [[String: Any]] ?? [] {
                starts.append((slot["startMillisUtc"] as? NSNumber)?.int64Value ?? 0)
            }
            if availability?["hasMore"] as? Bool != true { break }
        }
        return starts
    }

    static func encoded(_ slug: String) -> String {
        slug.replacingOccurrences(of: "/", with: "%2F")
    }

    static func availabilityPath(_ slug: String, timezone: String, monthOffset: Int) -> String {
        "\(Self.scheduler)/book/availability-page/\(Self.encoded(slug))?timezone=\(timezone)&monthOffset=\(monthOffset)"
    }

    static func iso(_ millis: Int64) -> String {
        Date(timeIntervalSince1970: Double(millis) / 1000).formatted(Date.ISO8601FormatStyle())
    }

    static func nowMillis() -> Int64 {
        Int64(Date().timeIntervalSince1970 * 1000)
    }
}

/// One answer from the sandbox.
struct SandboxReply: Sendable {
    let status: Int
    let headers: HTTPHeaders
    let body: Data

    func object() throws -> [String: Any] {
        try #require(
            try JSONSerialization.jsonObject(with: self.body) as? [String: Any], "not a JSON object: \(self.text)")
    }

    func array() throws -> [[String: Any]] {
        try #require(
            try JSONSerialization.jsonObject(with: self.body) as? [[String: Any]], "not a JSON array: \(self.text)")
    }

    var text: String { String(decoding: self.body, as: UTF8.self) }

    /// The error body's `subCategory`, or `nil`.
    var subCategory: String? { (try? self.object())?["subCategory"] as? String }

    /// Checks HubSpot's standard error body: status "error", a UUID correlation id, a category and a message.
    func expectHubSpotError(
        status: Int, category: String, subCategory: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        #expect(self.status == status, "\(self.text)", sourceLocation: sourceLocation)
        let body = try self.object()
        #expect(body["status"] as? String == "error", sourceLocation: sourceLocation)
        #expect(UUID(uuidString: body["correlationId"] as? String ?? "") != nil, sourceLocation: sourceLocation)
        #expect(body["category"] as? String == category, "\(self.text)", sourceLocation: sourceLocation)
        #expect((body["message"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
        if let subCategory {
            #expect(body["subCategory"] as? String == subCategory, "\(self.text)", sourceLocation: sourceLocation)
        }
    }
}
