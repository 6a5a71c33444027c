import ArgumentParser

/// The `bookingbridge` command: see `bookingbridge --help`.
@main
struct BookingBridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bookingbridge",
        abstract: "Turns web-form submissions into HubSpot meetings and tells downstream services by signed webhooks.",
        discussion: """
            Configuration comes from environment variables (DATABASE_URL, HUBSPOT_ACCESS_TOKEN, BRIDGE_PORT, ...) and \
            an optional JSON file named by BRIDGE_CONFIG; the environment wins. See README.md for every key.
            """,
        subcommands: [
            Serve.self, Migrate.self, Dev.self, Sandbox.self, ForgetCommand.self, RotateKey.self, Bench.self,
        ],
        defaultSubcommand: nil
    )
}
