import Foundation
import HubSpotSandbox
import Logging
import NIOHTTP1
import ServiceLifecycle
import Testing

/// OAuth refresh and rotation, and running the sandbox as a lifecycle service.
@Suite("Sandbox OAuth and service")
struct SandboxOAuthTests {
    static let tokenPath = "/oauth/2026-03/token"
    static let form = "application/x-www-form-urlencoded"

    static func refreshBody(_ refreshToken: String, secret: String = "sandbox-client-secret") -> String {
        "grant_type=refresh_token&client_id=sandbox-client-id&client_secret=\(secret)&refresh_token=\(refreshToken)"
    }

    @Test func refreshIssuesAccessTokensAndRotatesTheRefreshToken() async throws {
        try await TestSandbox.with { harness in
            let first = try await harness.call(
                .POST, Self.tokenPath, token: nil, body: Self.refreshBody("sandbox-refresh-token"),
                contentType: Self.form)
            #expect(first.status == 200, "\(first.text)")
            let issued = try first.object()
            #expect(issued["token_type"] as? String == "bearer")
            #expect(issued["expires_in"] as? Int == 1800)
            let access = try #require(issued["access_token"] as? String)
            let rotated = try #require(issued["refresh_token"] as? String)
            #expect(rotated != "sandbox-refresh-token")

            let list = try await harness.call(.GET, TestSandbox.scheduler, token: access)
            #expect(list.status == 200)
            #expect(list.headers.first(name: "X-HubSpot-RateLimit-Max") == "100")
            #expect(list.headers.first(name: "X-HubSpot-RateLimit-Daily") == nil, "no daily headers for OAuth")

            let reused = try await harness.call(
                .POST, Self.tokenPath, token: nil, body: Self.refreshBody("sandbox-refresh-token"),
                contentType: Self.form)
            #expect(reused.status == 400)
            let error = try reused.object()
            #expect(error["error"] as? String == "invalid_grant")
            #expect(error["status"] as? String == "BAD_REFRESH_TOKEN")
            #expect(UUID(uuidString: error["correlationId"] as? String ?? "") != nil)

            let second = try await harness.call(
                .POST, Self.tokenPath, token: nil, body: Self.refreshBody(rotated), contentType: Self.form)
            #expect(second.status == 200)
            let newAccess = try #require(try second.object()["access_token"] as? String)
            #expect(newAccess != access)
            #expect(
                try await harness.call(.GET, TestSandbox.scheduler, token: access).status == 200,
                "old access token lives on")

            let badSecret = try await harness.call(
                .POST, Self.tokenPath, token: nil, body: Self.refreshBody(rotated, secret: "wrong"),
                contentType: Self.form)
            #expect(try badSecret.object()["error"] as? String == "invalid_client")
            let asJSON = try await harness.call(
                .POST, Self.tokenPath, token: nil, json: ["grant_type": "refresh_token"])
            #expect(try asJSON.object()["error"] as? String == "invalid_request")
        }
    }

    @Test func expiredAccessTokenGets401() async throws {
        // 10 s: the first call must land before the token expires, also on a loaded machine (with 3 s it did not,
        // once, while the whole suite started on two cores). The wait runs alongside the other tests.
        let lifetime = 10
        try await TestSandbox.with({ $0.oauthAccessTokenLifetimeSeconds = lifetime }) { harness in
            let reply = try await harness.call(
                .POST, Self.tokenPath, token: nil, body: Self.refreshBody("sandbox-refresh-token"),
                contentType: Self.form)
            let answered = ContinuousClock.now
            let access = try #require(try reply.object()["access_token"] as? String)
            #expect(try await harness.call(.GET, TestSandbox.scheduler, token: access).status == 200)
            // Expired once its lifetime has passed since the answer (it was issued before that).
            try await Task.sleep(until: answered + .seconds(lifetime) + .milliseconds(200), clock: .continuous)
            let expired = try await harness.call(.GET, TestSandbox.scheduler, token: access)
            try expired.expectHubSpotError(status: 401, category: "EXPIRED_AUTHENTICATION")
            #expect((try expired.object()["message"] as? String)?.contains("expired") == true)
        }
    }

    @Test func startFailsWhenThePortIsTakenAndRestartsAfterStop() async throws {
        try await TestSandbox.with { harness in
            var configuration = SandboxConfiguration()
            configuration.port = await harness.sandbox.port
            let second = HubSpotSandbox(configuration: configuration, logger: Logger(label: "sandbox-port-test"))
            await #expect(throws: (any Error).self) { try await second.start() }

            await harness.sandbox.stop()
            try await harness.sandbox.start()
            let again = TestSandbox(sandbox: harness.sandbox, baseURL: await harness.sandbox.baseURL)
            #expect(try await again.call(.GET, TestSandbox.scheduler).status == 200)
        }
    }

    @Test func runsAsALifecycleServiceUntilGracefulShutdown() async throws {
        var configuration = SandboxConfiguration()
        configuration.port = 0
        let service = HubSpotSandboxService(configuration: configuration, logger: Logger(label: "sandbox-service-test"))
        let group = ServiceGroup(services: [service], logger: Logger(label: "sandbox-service-test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var port = await service.sandbox.port
            for _ in 0..<100 where port == 0 {
                try await Task.sleep(for: .milliseconds(20))
                port = await service.sandbox.port
            }
            #expect(port != 0)
            let harness = TestSandbox(sandbox: service.sandbox, baseURL: await service.sandbox.baseURL)
            #expect(try await harness.call(.GET, TestSandbox.scheduler).status == 200)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}
