import BookingBridge
import Foundation
import HubSpotSandbox

/// A further HubSpot account for tests of `hubspotAccounts`: a second sandbox of its own, and the configuration
/// that names it.
extension TestBridge {
    /// Runs `body` with a second sandbox on a free port that accepts `token`, stopped afterwards.
    static func withSecondSandbox(
        token: String, configure: (inout SandboxConfiguration) -> Void = { _ in },
        _ body: (HubSpotSandbox, String) async throws -> Void
    ) async throws {
        var configuration = SandboxConfiguration()
        configuration.port = 0
        configuration.token = token
        configure(&configuration)
        let sandbox = HubSpotSandbox(configuration: configuration, logger: TestBridge.logger)
        try await sandbox.start()
        do {
            try await body(sandbox, await sandbox.baseURL)
            await sandbox.stop()
        } catch {
            await sandbox.stop()
            throw error
        }
    }
}

extension BridgeConfiguration {
    /// Adds the account `name` (HubSpot at `baseURL` with `token`) and a public source `source` that books with it
    /// on the sandbox's personal link, 30 minutes, in Europe/London.
    mutating func addAccount(
        _ name: String, baseURL: String, token: String, source: String, rateLimitPer10s: Int? = nil,
        page: BookingPageSettings? = nil
    ) {
        var account = HubSpotSettings()
        account.baseURL = baseURL
        account.accessToken = token
        if let rateLimitPer10s { account.rateLimitPer10s = rateLimitPer10s }
        hubspotAccounts[name] = account
        sources[source] = SourceConfiguration(
            auth: .public(allowedOrigins: [], honeypotField: nil), slug: SandboxSeeds.personalLinkSlug,
            durationMinutes: 30, timezone: "Europe/London", hubspot: name, page: page)
    }
}
