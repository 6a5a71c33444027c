import AsyncHTTPClient
import BookingBridge
import Foundation
import HubSpotSandbox
import Logging
import Testing

/// Helpers for the `HubSpot*` suites: an embedded sandbox and clients pointed at it.
enum TestHubSpot {
    static let logger: Logger = {
        var logger = Logger(label: "hubspot-test")
        logger.logLevel =
            ProcessInfo.processInfo.environment["TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        return logger
    }()

    /// Runs `body` against a started sandbox (port 0) and stops it afterwards, also when `body` throws.
    static func withSandbox<T: Sendable>(
        _ configure: @Sendable (inout SandboxConfiguration) -> Void = { _ in },
        _ body: @Sendable (HubSpotSandbox, String) async throws -> T
    ) async throws -> T {
        var configuration = SandboxConfiguration()
        configuration.port = 0
        configure(&configuration)
        let sandbox = HubSpotSandbox(configuration: configuration, logger: logger)
        try await sandbox.start()
        do {
            let result = try await body(sandbox, await sandbox.baseURL)
            await sandbox.stop()
            return result
        } catch {
            await sandbox.stop()
            throw error
        }
    }

    /// Runs `body` with an HTTP client configured like the bridge's, shut down afterwards.
    static func withHTTPClient<T: Sendable>(
        connectTimeoutSeconds: Double = 10, _ body: @Sendable (HTTPClient) async throws -> T
    ) async throws -> T {
        var settings = HubSpotSettings()
        settings.connectTimeoutSeconds = connectTimeoutSeconds
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton, configuration: HubSpotClient.httpClientConfiguration(settings: settings)
        )
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// A client with a static token and its own in-memory budget (unless one is given).
    static func client(
        baseURL: String, httpClient: HTTPClient, token: String = "sandbox-token",
        budget: any HubSpotRateBudget = InMemoryHubSpotRateBudget(), rateLimit: Int = 100,
        requestTimeoutSeconds: Double = 10, maxBudgetWait: Duration = .seconds(30), account: String = "sandbox"
    ) -> HubSpotClient {
        var settings = HubSpotSettings()
        settings.baseURL = baseURL
        settings.accessToken = token
        settings.account = account
        settings.rateLimitPer10s = rateLimit
        settings.requestTimeoutSeconds = requestTimeoutSeconds
        return HubSpotClient(
            configuration: HubSpotClient.Configuration(settings: settings, maxBudgetWait: maxBudgetWait),
            httpClient: httpClient, tokenProvider: HubSpotTokenProvider(staticToken: token), budget: budget,
            logger: logger)
    }

    /// The offered slots of `slug` for `durationMillis` on the first availability pages.
    static func slots(
        _ client: HubSpotClient, slug: String, durationMillis: Int64, timezone: String = "UTC"
    ) async throws -> [HubSpotSlot] {
        var slots: [HubSpotSlot] = []
        for offset in 0..<3 {
            let page = try await client.availabilityPage(slug: slug, timezone: timezone, monthOffset: offset)
            slots += page.linkAvailability.slots(durationMillis: durationMillis)
            if !page.linkAvailability.hasMore || slots.count > 20 { break }
        }
        return slots
    }

    /// A valid booking request for `slug` at `startMillis`.
    static func bookingRequest(
        slug: String = SandboxSeeds.personalLinkSlug, startMillis: Int64, durationMillis: Int64 = 1_800_000,
        email: String = "ada@lovelace.dev"
    ) -> HubSpotBookingRequest {
        HubSpotBookingRequest(
            slug: slug, startMillis: startMillis, durationMillis: durationMillis, email: email, firstName: "Ada",
            lastName: "Lovelace", timezone: "Europe/London", locale: "en-gb")
    }

    /// The `HubSpotError` that `operation` throws (a test failure when it throws anything else or succeeds).
    static func hubSpotError<T>(
        sourceLocation: SourceLocation = #_sourceLocation, _ operation: () async throws -> T
    ) async -> HubSpotError? {
        do {
            let value = try await operation()
            Issue.record("expected a HubSpotError, got \(value)", sourceLocation: sourceLocation)
            return nil
        } catch let error as HubSpotError {
            return error
        } catch {
            Issue.record("expected a HubSpotError, got \(String(reflecting: error))", sourceLocation: sourceLocation)
            return nil
        }
    }
}
