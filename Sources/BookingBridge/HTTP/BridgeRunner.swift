import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import ServiceLifecycle
import UnixSignals

/// Runs a whole bridge until SIGTERM/SIGINT: the database pool, migrations, the secrets at rest
/// (`SecretsAtRest.prepare`), then every service of `BridgeApplication`, with graceful draining on the way down.
public enum BridgeRunner {
    public static func run(
        configuration: BridgeConfiguration, migrate: Bool, logger: Logger,
        extraServices: [any Service] = [], onStarted: @escaping @Sendable (BridgeApplication) async -> Void = { _ in }
    ) async throws {
        guard let url = configuration.databaseURL else {
            throw ConfigurationError(key: "DATABASE_URL", expected: "set (postgres://user:password@host:5432/database)")
        }
        let database = try Database(
            url: url, maximumConnections: configuration.databasePoolSize,
            disableJIT: !configuration.pipeline.pollOnly,
            prepareStatements: !configuration.pipeline.pollOnly, secrets: configuration.secrets, logger: logger)
        let httpClient = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: HubSpotClient.httpClientConfiguration(settings: configuration.hubspot))
        let webhookClient = WebhookHTTPClient.make(settings: configuration.webhooks)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await database.client.run() }
                await database.runStarted()
                if migrate {
                    let report = try await Migrations().apply(on: database)
                    logger.info(
                        "database schema is current",
                        metadata: ["version": "\(report.currentVersion)", "applied_now": "\(report.applied.count)"])
                } else if try await !Migrations().isCurrent(on: database) {
                    logger.warning("database migrations are not current; run `bookingbridge migrate`")
                }
                // Refuses without the key that sealed the stored secrets; seals those left in the clear.
                try await SecretsAtRest.prepare(database: database, logger: logger)
                let bridge = BridgeApplication(
                    configuration: configuration, database: database, httpClient: httpClient,
                    webhookHTTPClient: webhookClient, logger: logger)
                let services = bridge.services()
                var groupConfiguration = ServiceGroupConfiguration(
                    services: services.map { .init(service: $0) } + extraServices.map { .init(service: $0) },
                    gracefulShutdownSignals: [.sigterm, .sigint],
                    cancellationSignals: [],
                    logger: logger)
                // Never hang on the way down: after the drain's grace, cancel; a call that ignores cancellation
                // ends the process (leases hand its work to another process).
                groupConfiguration.maximumGracefulShutdownDuration = configuration.pipeline.shutdownGrace + .seconds(10)
                groupConfiguration.maximumCancellationDuration = .seconds(10)
                let serviceGroup = ServiceGroup(configuration: groupConfiguration)
                // The first SIGTERM/SIGINT drains gracefully; a second one exits at once (leases hand the work on).
                group.addTask {
                    var seen = 0
                    for await signal in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
                        seen += 1
                        if seen >= 2 {
                            logger.warning("second \(signal) during shutdown: exiting now")
                            exit(130)
                        }
                    }
                }
                group.addTask {
                    _ = try? await bridge.boundPort.wait()
                    await BridgeRunner.checkCRMScope(bridge: bridge, logger: logger)
                }
                group.addTask {
                    let port = try await bridge.boundPort.wait()
                    logger.info("bridge listening", metadata: ["address": "http://\(configuration.host):\(port)"])
                    await onStarted(bridge)
                }
                try await serviceGroup.run()
                group.cancelAll()
            }
        } catch {
            try? await httpClient.shutdown()
            try? await webhookClient.shutdown()
            throw error
        }
        try await httpClient.shutdown()
        try await webhookClient.shutdown()
    }

    /// Says once at start-up, per HubSpot account, when its token cannot read the CRM records that settle
    /// unanswered booking calls (one contact read of an address no contact has: 404 with the scope, 403 without).
    static func checkCRMScope(bridge: BridgeApplication, logger: Logger) async {
        let accounts: [String?] = [nil] + bridge.configuration.hubspotAccounts.keys.sorted()
        for account in accounts {
            guard
                (account.flatMap { bridge.configuration.hubspotAccounts[$0] } ?? bridge.configuration.hubspot)
                    .hasCredentials
            else { continue }
            let client = bridge.makeCRMClient(client: bridge.makeHubSpotClient(account: account))
            do {
                _ = try await client.crmContact(email: "crm-scope-check@bookingbridge.invalid")
            } catch let error as HubSpotError where error.status == 403 {
                logger.warning(
                    "the HubSpot token lacks the scope \(HubSpotCRMScope.contactsRead): unanswered booking calls are settled by availability alone (more of them need review); grant the scope to settle them from HubSpot's CRM",
                    metadata: [
                        "hubspot_account": "\(account ?? "default")", "scope": "\(HubSpotCRMScope.contactsRead)",
                    ])
            } catch {
                logger.debug(
                    "could not check the HubSpot token's CRM scope at start-up",
                    metadata: ["hubspot_account": "\(account ?? "default")", "error": "\(error)"])
            }
        }
    }
}
