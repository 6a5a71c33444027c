import Foundation
import Logging
import NIOHTTP1
import Testing

@testable import BookingBridge

/// No configured secret reaches a log line or the configuration summary, whatever the log level.
@Suite("Secrets in logs and output")
struct SecretRedactionTests {
    static let subscriptionSecret = "whsec_" + Data(repeating: 0x5A, count: 32).base64EncodedString()
    static let sourceSecret = "whsec_" + Data(repeating: 0x3C, count: 32).base64EncodedString()
    static let adminToken = "admin-token-do-not-log-1f9c"
    static let sourceToken = "source-token-do-not-log-7d21"
    static let hubSpotToken = "hubspot-token-do-not-log-b04e"
    static let clientSecret = "client-secret-do-not-log-e5a7"
    static let refreshToken = "refresh-token-do-not-log-94c3"
    static let databasePassword = "db@pass:do-not-log"

    /// Every secret of the configuration below, as it would appear in text.
    static var secrets: [String] {
        [
            subscriptionSecret, String(subscriptionSecret.dropFirst(6)), sourceSecret,
            String(sourceSecret.dropFirst(6)), adminToken, sourceToken, hubSpotToken, clientSecret, refreshToken,
            "db@pass", "do-not-log",
        ]
    }

    @Test("a bridge at trace level logs none of its configured secrets")
    func traceLogsHoldNoSecret() async throws {
        let lines = LogHandlerTests.Lines()
        var logger = Logger(label: "bridge") { TextLogHandler(label: $0, output: lines) }
        logger.logLevel = .trace
        try await TestBridge.run(
            configure: { configuration in
                if let url = configuration.databaseURL, var components = URLComponents(string: url),
                    components.password == nil
                {
                    // Only shown, never used: the bridge is given its pool.
                    components.password = Self.databasePassword
                    configuration.databaseURL = components.string
                }
                configuration.adminToken = Self.adminToken
                configuration.hubspot.accessToken = Self.hubSpotToken
                configuration.hubspot.clientID = "client-id"
                configuration.hubspot.clientSecret = Self.clientSecret
                configuration.hubspot.refreshToken = Self.refreshToken
                configuration.subscriptions = [
                    SubscriptionSeed(url: "http://127.0.0.1:9/hook", secret: Self.subscriptionSecret)
                ]
                configuration.sources = [
                    "form": SourceConfiguration(
                        auth: .token(Self.sourceToken), slug: "jane/intro", durationMinutes: 30, timezone: "UTC"),
                    "hook": SourceConfiguration(
                        auth: .hmac(secret: Self.sourceSecret), slug: "jane/intro", durationMinutes: 30,
                        timezone: "UTC"),
                ]
            }, logger: logger
        ) { bridge in
            // A request through the admin API and intake, so their paths log too.
            let list = try await bridge.request(
                .GET, "/v1/subscriptions", headers: [("Authorization", "Bearer \(Self.adminToken)")])
            #expect(list.status == 200)
            let post = try await bridge.submit(
                "form", ["email": "a@example.org"], headers: [("Authorization", "Bearer \(Self.sourceToken)")])
            #expect(post.status == 422)
            // The seeder has created the subscription from the configuration.
            let deadline = ContinuousClock.now + .seconds(10)
            while try await bridge.count("SELECT count(*) FROM subscriptions") == 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        let text = lines.value
        #expect(text.contains("Starting service"), "the lifecycle's own lines are captured")
        #expect(text.contains("created a webhook subscription from the configuration"))
        for secret in Self.secrets {
            #expect(!text.contains(secret), "\(secret) appears in the log")
        }
    }

    @Test("the configuration summary shows no part of a database password, also one with @ or in the query")
    func summaryHidesPasswords() {
        var configuration = BridgeConfiguration()
        configuration.databaseURL = "postgres://bridge:p@ss@w0rd@db.example:5432/bookings?sslmode=require"
        var text = ConfigurationSummary.text(configuration)
        #expect(text.contains("postgres://bridge:***@db.example:5432/bookings?sslmode=require"))
        for part in ["p@ss", "w0rd", "ss@"] { #expect(!text.contains(part), "\(part) in \(text)") }

        configuration.databaseURL =
            "postgres://db.example/bookings?user=bridge&password=hunter2&sslmode=require&sslpassword=key%40pass"
        text = ConfigurationSummary.text(configuration)
        #expect(
            text.contains("postgres://db.example/bookings?user=bridge&password=***&sslmode=require&sslpassword=***"))
        for part in ["hunter2", "key%40pass"] { #expect(!text.contains(part), "\(part) in \(text)") }

        configuration.databaseURL = "postgres://db.example/bookings?PASSWORD=a@b&x=1"
        #expect(!ConfigurationSummary.text(configuration).contains("a@b"))
        configuration.databaseURL = "postgres://bridge:pa?ss@db.example/bookings"
        #expect(!ConfigurationSummary.text(configuration).contains("pa?ss"))
        #expect(!ConfigurationSummary.text(configuration).contains("ss@"))
    }

    @Test("values that hold secrets describe themselves without them")
    func descriptionsAreRedacted() {
        var configuration = BridgeConfiguration()
        configuration.databaseURL = "postgres://bridge:\(Self.databasePassword)@db.example/bookings"
        configuration.adminToken = Self.adminToken
        configuration.hubspot.accessToken = Self.hubSpotToken
        configuration.hubspot.clientSecret = Self.clientSecret
        configuration.hubspot.refreshToken = Self.refreshToken
        configuration.subscriptions = [
            SubscriptionSeed(url: "https://example.org/hook", secret: Self.subscriptionSecret)
        ]
        configuration.sources["form"] = SourceConfiguration(auth: .token(Self.sourceToken), slug: "jane/intro")
        configuration.sources["hook"] = SourceConfiguration(auth: .hmac(secret: Self.sourceSecret), slug: "jane/intro")
        let texts = [
            String(describing: configuration), String(reflecting: configuration), "\(configuration.subscriptions)",
            String(describing: configuration.hubspot), "\(configuration.sources)",
            String(describing: SourceAuth(.hmac(secret: Self.sourceSecret))),
            String(describing: SourceAuth(.token(Self.sourceToken))),
            String(describing: AdminAuthMiddleware<BridgeRequestContext>(token: Self.adminToken)),
        ]
        for text in texts {
            for secret in Self.secrets { #expect(!text.contains(secret), "\(secret) in \(text)") }
        }
        var dumped = ""
        dump(configuration, to: &dumped)
        for secret in Self.secrets { #expect(!dumped.contains(secret), "\(secret) in dump") }
    }
}
