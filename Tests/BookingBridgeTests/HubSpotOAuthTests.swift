import AsyncHTTPClient
import BookingBridge
import Foundation
import HubSpotSandbox
import Testing

/// OAuth tokens against the sandbox's token endpoint: shared refreshes, rotation, refusal, refresh ahead of expiry.
@Suite("HubSpot OAuth tokens (sandbox)")
struct HubSpotOAuthTests {
    typealias Kit = TestHubSpot

    static let credentials = HubSpotTokenProvider.OAuthCredentials(
        clientID: "sandbox-client-id", clientSecret: "sandbox-client-secret", refreshToken: "sandbox-refresh-token")

    static func client(_ provider: HubSpotTokenProvider, baseURL: String, http: HTTPClient) -> HubSpotClient {
        var settings = HubSpotSettings()
        settings.baseURL = baseURL
        settings.account = "oauth-test"
        return HubSpotClient(
            configuration: HubSpotClient.Configuration(settings: settings), httpClient: http, tokenProvider: provider,
            budget: InMemoryHubSpotRateBudget(), logger: Kit.logger)
    }

    @Test("an expired token is refreshed once for 20 concurrent calls")
    func expiredRefreshedOnce() async throws {
        try await Kit.withSandbox { _, baseURL in
            try await Kit.withHTTPClient { http in
                let provider = HubSpotTokenProvider(
                    oauth: Self.credentials, baseURL: baseURL, httpClient: http, initialAccessToken: "sandbox-at-old",
                    initialLifetime: .zero, logger: Kit.logger)
                let client = Self.client(provider, baseURL: baseURL, http: http)
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<20 { group.addTask { try await client.listMeetingLinks().results.count } }
                    for try await count in group { #expect(count >= 3) }
                }
                #expect(await provider.refreshCount == 1)
            }
        }
    }

    @Test("a token HubSpot rejects (401) is refreshed once for 20 concurrent calls, which then succeed")
    func rejectedRefreshedOnce() async throws {
        try await Kit.withSandbox { _, baseURL in
            try await Kit.withHTTPClient { http in
                // The provider believes its token is good for an hour; the sandbox has never seen it.
                let provider = HubSpotTokenProvider(
                    oauth: Self.credentials, baseURL: baseURL, httpClient: http,
                    initialAccessToken: "sandbox-at-revoked",
                    initialLifetime: .seconds(3600), logger: Kit.logger)
                let client = Self.client(provider, baseURL: baseURL, http: http)
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<20 { group.addTask { try await client.listMeetingLinks().results.count } }
                    for try await count in group { #expect(count >= 3) }
                }
                #expect(await provider.refreshCount == 1)
            }
        }
    }

    @Test("a 401 that survives one refresh is permanent (refreshed once, retried once)")
    func unauthorizedAfterRefresh() async throws {
        // Tokens that the sandbox considers expired the moment they are issued.
        try await Kit.withSandbox({ $0.oauthAccessTokenLifetimeSeconds = 0 }) { sandbox, baseURL in
            try await Kit.withHTTPClient { http in
                let provider = HubSpotTokenProvider(
                    oauth: Self.credentials, baseURL: baseURL, httpClient: http, logger: Kit.logger)
                let client = Self.client(provider, baseURL: baseURL, http: http)
                let error = try #require(await Kit.hubSpotError { try await client.listMeetingLinks() })
                #expect(error.status == 401)
                #expect(error.classification == .permanent)
                #expect(await provider.refreshCount == 2)
                #expect(await sandbox.requestStats().total == 2)
            }
        }
    }

    @Test("a rotated refresh token replaces the old one")
    func rotation() async throws {
        try await Kit.withSandbox { _, baseURL in
            try await Kit.withHTTPClient { http in
                let provider = HubSpotTokenProvider(
                    oauth: Self.credentials, baseURL: baseURL, httpClient: http, logger: Kit.logger)
                let first = try await provider.token()
                let rotated = try #require(await provider.currentRefreshToken)
                #expect(rotated != "sandbox-refresh-token")
                // The sandbox only accepts the newest refresh token: a second refresh proves the rotated one is used.
                let second = try await provider.tokenAfterUnauthorized(rejected: first)
                #expect(second != first)
                #expect(await provider.currentRefreshToken != rotated)
                #expect(await provider.refreshCount == 2)
            }
        }
    }

    @Test("a refused refresh token (invalid_grant) is a clear permanent error")
    func invalidGrant() async throws {
        try await Kit.withSandbox { _, baseURL in
            try await Kit.withHTTPClient { http in
                let bad = HubSpotTokenProvider.OAuthCredentials(
                    clientID: "sandbox-client-id", clientSecret: "sandbox-client-secret", refreshToken: "revoked")
                let provider = HubSpotTokenProvider(oauth: bad, baseURL: baseURL, httpClient: http, logger: Kit.logger)
                let client = Self.client(provider, baseURL: baseURL, http: http)
                let error = try #require(await Kit.hubSpotError { try await client.listMeetingLinks() })
                #expect(error.endpoint == .token)
                #expect(error.classification == .permanent)
                #expect(error.category == "invalid_grant")
                #expect(error.message.contains("invalid_grant"))
                #expect(error.message.contains("HUBSPOT_REFRESH_TOKEN"))
            }
        }
    }

    @Test("tokens are refreshed ahead of expiry, not on a 401")
    func refreshAhead() async throws {
        // 6 s tokens are refreshed 1.2 s early: 5.1 s after the first call, the next call refreshes first. Each call
        // must take well under the 4.8 s a token is used for (see `conclusiveRun`): a call slower than that, on a
        // loaded machine, refreshes again.
        let (refreshes, total) = try await conclusiveRun(within: .seconds(3)) {
            try await Kit.withSandbox({ $0.oauthAccessTokenLifetimeSeconds = 6 }) { sandbox, baseURL in
                try await Kit.withHTTPClient { http in
                    let provider = HubSpotTokenProvider(
                        oauth: Self.credentials, baseURL: baseURL, httpClient: http, logger: Kit.logger)
                    let client = Self.client(provider, baseURL: baseURL, http: http)
                    var started = ContinuousClock.now
                    _ = try await client.listMeetingLinks()
                    let first = ContinuousClock.now - started
                    let afterFirst = await provider.refreshCount
                    try await Task.sleep(for: .milliseconds(5_100))
                    started = ContinuousClock.now
                    _ = try await client.listMeetingLinks()
                    let second = ContinuousClock.now - started
                    let afterSecond = await provider.refreshCount
                    let total = await sandbox.requestStats().total
                    return (([afterFirst, afterSecond], total), max(first, second))
                }
            }
        }
        #expect(refreshes == [1, 2], "refreshes after the first call and after the second")
        #expect(total == 2)
    }

    @Test("the refresh margin is a fifth of the lifetime, at most 5 minutes")
    func margin() {
        #expect(HubSpotTokenProvider.refreshMargin(lifetime: .seconds(1800)) == .seconds(300))
        #expect(HubSpotTokenProvider.refreshMargin(lifetime: .seconds(600)) == .seconds(120))
        #expect(HubSpotTokenProvider.refreshMargin(lifetime: .seconds(2)) == .milliseconds(400))
    }
}
