import ArgumentParser
import BookingBridge
import HubSpotSandbox
import Logging
import ServiceLifecycle
import UnixSignals

struct Sandbox: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the HubSpot sandbox alone: a local stand-in for HubSpot's Scheduler API.",
        discussion: """
            Serves the Scheduler API paths (book, booking info, availability, list links) and the OAuth token endpoint \
            with seeded meeting links, HubSpot's validation, rate limits and traps. Faults can be changed at run time \
            with POST /__sandbox/faults; GET /__sandbox/bookings lists what was booked; POST /__sandbox/reset clears it.
            """)

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).") var port = 8090
    @Option(help: "Bearer token with full scope.") var token = "sandbox-token"
    @Option(
        name: .customLong("read-only-token"), help: "Bearer token with the scheduler read scope only (403 on book).")
    var readOnlyToken = "sandbox-read-only"
    @Option(name: .customLong("rate-limit"), help: "Requests allowed per rolling 10 seconds, per token.")
    var rateLimit = 100
    @Option(name: .customLong("daily-limit"), help: "Requests allowed per day, per token.") var dailyLimit = 250_000
    @Option(name: .customLong("latency-ms"), help: "Latency added to every answer.") var latencyMs = 0
    @Option(name: .customLong("fail-rate"), help: "Share of answers (0...1) replaced by --fail-status.") var failRate =
        0.0
    @Option(name: .customLong("fail-status"), help: "Status of injected failures: 500, 502, 503, 504 or 429.")
    var failStatus = 503
    @Option(
        name: .customLong("drop-after-book-rate"), help: "Share of successful bookings whose answer is dropped (0...1)."
    )
    var dropAfterBookRate = 0.0

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
        guard (0...1).contains(failRate) else { throw ValidationError("--fail-rate must be from 0 to 1") }
        guard (0...1).contains(dropAfterBookRate) else {
            throw ValidationError("--drop-after-book-rate must be from 0 to 1")
        }
        guard [500, 502, 503, 504, 429].contains(failStatus) else {
            throw ValidationError("--fail-status must be 500, 502, 503, 504 or 429")
        }
        guard rateLimit > 0, dailyLimit > 0, latencyMs >= 0 else {
            throw ValidationError("--rate-limit and --daily-limit must be positive, --latency-ms not negative")
        }
    }

    func sandboxConfiguration() -> SandboxConfiguration {
        var c = SandboxConfiguration()
        c.host = host
        c.port = port
        c.token = token
        c.readOnlyToken = readOnlyToken
        c.rateLimit = rateLimit
        c.dailyLimit = dailyLimit
        c.faults.latencyMs = latencyMs
        c.faults.failRate = failRate
        c.faults.failStatus = failStatus
        c.faults.dropAfterBookRate = dropAfterBookRate
        return c
    }

    func run() async throws {
        let configuration = try loadConfiguration()
        let logger = bootstrapLogging(configuration, label: "hubspot-sandbox")
        let sandbox = HubSpotSandbox(configuration: sandboxConfiguration(), logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: HubSpotSandboxService(sandbox: sandbox))],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
