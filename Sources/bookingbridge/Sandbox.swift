import ArgumentParser
import BookingBridge
import Foundation
import HubSpotSandbox
import Logging
import ServiceLifecycle
import UnixSignals

struct Sandbox: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the HubSpot sandbox alone: a local stand-in for HubSpot's Scheduler API.",
        discussion: """
            Serves the Scheduler API paths (book, booking info, availability, list links), the CRM reads of the \
            bookings' contacts and meetings (contact by e-mail, meeting search) and the OAuth token endpoint \
            with seeded meeting links, HubSpot's validation, rate limits and traps. Faults can be changed at run time \
            with POST /__sandbox/faults; GET /__sandbox/bookings lists what was booked; POST /__sandbox/reset clears it.
            """)

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).") var port = 8090
    @Option(help: "Bearer token with full scope.") var token = "sandbox-token"
    @Option(
        name: .customLong("read-only-token"), help: "Bearer token with the scheduler read scope only (403 on book).")
    var readOnlyToken = "sandbox-read-only"
    @Option(
        name: .customLong("no-crm-token"),
        help: "Bearer token that books but lacks the CRM read scope (403 on the CRM contact read and meeting search).")
    var noCRMToken = "sandbox-no-crm"
    @Option(name: .customLong("rate-limit"), help: "Requests allowed per rolling 10 seconds, per app (token).")
    var rateLimit = 100
    @Option(name: .customLong("daily-limit"), help: "Requests allowed per day, shared by the account's tokens.")
    var dailyLimit = 250_000
    @Option(
        name: .customLong("account-timezone"),
        help: "IANA zone of the account: its daily limit resets at midnight there.")
    var accountTimezone = "America/New_York"
    @Option(name: .customLong("latency-ms"), help: "Latency added to every answer.") var latencyMs = 0
    @Option(name: .customLong("fail-rate"), help: "Share of answers (0...1) replaced by --fail-status.") var failRate =
        0.0
    @Option(
        name: .customLong("fail-status"),
        help: "Status of injected failures: 500, 502, 503, 504, 521, 523, 524, 429, 423 or 477.")
    var failStatus = 503
    @Option(name: .customLong("fail-body"), help: "Body of injected 5xx answers: json, or html (an edge error page).")
    var failBody = "json"
    @Option(name: .customLong("retry-after-seconds"), help: "Retry-After of injected 423 and 477 answers.")
    var retryAfterSeconds = 2
    @Option(
        name: .customLong("drop-after-book-rate"), help: "Share of successful bookings whose answer is dropped (0...1)."
    )
    var dropAfterBookRate = 0.0
    @Option(
        name: .customLong("after-book-status"),
        help: "Book, then answer this status instead of 200: 500, 502, 503, 504 or 524.")
    var afterBookStatus: Int?
    @Option(
        name: .customLong("after-book-rate"), help: "Share of successful bookings answered with --after-book-status.")
    var afterBookRate = 1.0
    @Option(
        name: .customLong("empty-calendar-event-rate"),
        help: "Share of bookings answered with isOffline false and an empty calendarEventId (0...1).")
    var emptyCalendarEventRate = 0.0
    @Option(
        name: .customLong("token-lifetime-seconds"),
        help: "Lifetime of OAuth access tokens, those already issued included (default 1800).")
    var tokenLifetimeSeconds: Int?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
        guard rateLimit > 0, dailyLimit > 0, latencyMs >= 0 else {
            throw ValidationError("--rate-limit and --daily-limit must be positive, --latency-ms not negative")
        }
        guard TimeZone(identifier: accountTimezone) != nil else {
            throw ValidationError("--account-timezone must be an IANA time zone such as America/New_York")
        }
        guard SandboxFaults.FailBody(rawValue: failBody) != nil else {
            throw ValidationError("--fail-body must be json or html")
        }
        if let problem = sandboxConfiguration().faults.validationProblem {
            // The faults' own rule, in flag spelling (failRate -> --fail-rate).
            throw ValidationError("--" + Self.flagSpelling(problem))
        }
    }

    /// `failRate must be ...` as `fail-rate must be ...`.
    static func flagSpelling(_ problem: String) -> String {
        let name = problem.prefix { $0 != " " }
        let flag = name.map { $0.isUppercase ? "-" + $0.lowercased() : String($0) }.joined()
        return flag + problem.dropFirst(name.count)
    }

    func sandboxConfiguration() -> SandboxConfiguration {
        var c = SandboxConfiguration()
        c.host = host
        c.port = port
        c.token = token
        c.readOnlyToken = readOnlyToken
        c.noCRMToken = noCRMToken
        c.rateLimit = rateLimit
        c.dailyLimit = dailyLimit
        c.accountTimeZone = accountTimezone
        c.faults.latencyMs = latencyMs
        c.faults.failRate = failRate
        c.faults.failStatus = failStatus
        c.faults.failBody = SandboxFaults.FailBody(rawValue: failBody) ?? .json
        c.faults.retryAfterSeconds = retryAfterSeconds
        c.faults.dropAfterBookRate = dropAfterBookRate
        c.faults.afterBookStatus = afterBookStatus
        c.faults.afterBookRate = afterBookRate
        c.faults.emptyCalendarEventRate = emptyCalendarEventRate
        c.faults.tokenLifetimeSeconds = tokenLifetimeSeconds
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
