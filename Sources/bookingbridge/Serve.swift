import ArgumentParser
import BookingBridge
import Foundation
import Logging
import PostgresNIO

/// Reads the configuration or exits with a message that names the bad key.
func loadConfiguration() throws -> BridgeConfiguration {
    do {
        return try BridgeConfiguration.load()
    } catch let error as ConfigurationError {
        throw ValidationError(error.description)
    }
}

/// A logger for a command, after bootstrapping swift-log from the configuration.
func bootstrapLogging(_ configuration: BridgeConfiguration, label: String = "bookingbridge") -> Logger {
    LogSetup.bootstrap(level: configuration.logLevel, format: configuration.logFormat)
    var logger = Logger(label: label)
    logger.logLevel = configuration.logLevel
    return logger
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the bridge: intake, admin API, booking pipeline and webhook dispatcher.",
        discussion: """
            Applies pending database migrations first unless --no-migrate is given. Needs DATABASE_URL and HubSpot \
            credentials (HUBSPOT_ACCESS_TOKEN, or HUBSPOT_CLIENT_ID + HUBSPOT_CLIENT_SECRET + HUBSPOT_REFRESH_TOKEN). \
            Stops gracefully on SIGTERM or Ctrl-C: in-flight bookings finish, nothing accepted is lost.
            """)

    @Flag(name: .customLong("no-migrate"), help: "Do not apply pending migrations at start-up.")
    var noMigrate = false

    @Flag(name: .customLong("check-config"), help: "Validate the configuration, print a summary (no secrets) and exit.")
    var checkConfig = false

    @Flag(
        name: .customLong("poll-only"),
        help: "Poll for work instead of using LISTEN/NOTIFY (for transaction-mode poolers).")
    var pollOnly = false

    func run() async throws {
        var configuration = try loadConfiguration()
        if pollOnly { configuration.pipeline.pollOnly = true }
        if checkConfig {
            print(ConfigurationSummary.text(configuration))
            return
        }
        guard configuration.databaseURL != nil else {
            throw ValidationError(
                "DATABASE_URL is not set (for a first try without a database, run `bookingbridge dev`)")
        }
        guard configuration.hubspot.hasCredentials else {
            throw ValidationError(
                "no HubSpot credentials: set HUBSPOT_ACCESS_TOKEN, or HUBSPOT_CLIENT_ID, HUBSPOT_CLIENT_SECRET and HUBSPOT_REFRESH_TOKEN"
            )
        }
        let logger = bootstrapLogging(configuration)
        do {
            try await BridgeRunner.run(configuration: configuration, migrate: !noMigrate, logger: logger)
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending database migrations (sql/) and exit.",
        discussion: """
            Safe to run again (it changes nothing when the schema is current) and from several processes at once (an \
            advisory lock serializes them). Refuses a database that has a migration this build does not know. With \
            BRIDGE_SECRET_KEY set it also seals the secrets stored in the clear (as `serve` does at start-up); \
            without it, secrets are left as they are.
            """)

    func run() async throws {
        let configuration = try loadConfiguration()
        guard let url = configuration.databaseURL else { throw ValidationError("DATABASE_URL is not set") }
        let logger = bootstrapLogging(configuration)
        let database = try Database(
            url: url, maximumConnections: 1, secrets: configuration.secrets, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.client.run() }
            await database.runStarted()
            defer { group.cancelAll() }
            let report = try await Migrations().apply(on: database)
            if report.applied.isEmpty {
                print("schema is current (version \(report.currentVersion)); nothing to apply")
            } else {
                print(
                    "applied \(report.applied.map(\.name).joined(separator: ", ")); schema is at version \(report.currentVersion)"
                )
            }
            if configuration.secrets.current != nil {
                do {
                    try await SecretsAtRest.prepare(database: database, logger: logger)
                } catch let error as ConfigurationError {
                    throw ValidationError(error.description)
                }
            }
        }
    }
}
