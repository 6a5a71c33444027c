import ArgumentParser
import AsyncHTTPClient
import BookingBridge
import EphemeralPostgres
import Foundation
import HubSpotSandbox
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

struct Dev: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run everything on this machine for a first try: database, HubSpot sandbox, bridge, demo subscriber.",
        discussion: """
            Starts a throwaway PostgreSQL (unless DATABASE_URL is set), the HubSpot sandbox (unless HubSpot credentials \
            are set), the bridge with a demo source named "demo", and a demo subscriber that prints each webhook it \
            receives with its signature checked. Prints ready-to-paste curl commands. Ctrl-C stops everything and \
            removes the temporary database.
            """)

    @Option(help: "Port of the bridge (default: BRIDGE_PORT or 8080).") var port: Int?

    func run() async throws {
        var configuration = try loadConfiguration()
        if let port { configuration.port = port }
        let logger = bootstrapLogging(configuration)

        var cluster: EphemeralPostgres?
        if configuration.databaseURL == nil {
            say("starting a throwaway PostgreSQL…")
            let started = try startThrowawayPostgres(logger: logger)
            cluster = started
            configuration.databaseURL = started.url
        }
        defer { cluster?.stop() }

        var sandbox: HubSpotSandbox?
        if !configuration.hubspot.hasCredentials {
            var sandboxConfiguration = SandboxConfiguration()
            sandboxConfiguration.port = 0
            let started = HubSpotSandbox(configuration: sandboxConfiguration, logger: logger)
            try await started.start()
            sandbox = started
            configuration.hubspot.baseURL = await started.baseURL
            configuration.hubspot.accessToken = sandboxConfiguration.token
        }

        let subscriber = DemoSubscriber(secret: .generate())
        try await subscriber.start(logger: logger)
        configuration.subscriptions.append(
            SubscriptionSeed(
                url: subscriber.url, eventTypes: ["*"], description: "bookingbridge dev demo subscriber",
                secret: subscriber.secret.text))
        configuration.webhooks.allowDestinations += ["127.0.0.0/8", "::1/128"]
        let senders = DevSenders()
        if configuration.sources.isEmpty {
            configuration.sources["demo"] = SourceConfiguration(
                auth: .public(allowedOrigins: [], honeypotField: "website"), slug: "jane-doe/intro-30",
                durationMinutes: 30, timezone: "Europe/London", locale: "en-gb",
                formFields: ["company": "company"], consent: ["news": "1234567"],
                page: BookingPageSettings(
                    enabled: true, title: "Intro call with Jane", intro: "Pick a time that suits you."))
            for kind in DevSenders.kinds {
                configuration.sources[DevSenders.name(kind)] = senders.source(kind, slug: "jane-doe/intro-30")
            }
            // HubSpot signs the full URL it posts to.
            if configuration.publicURL == nil { configuration.publicURL = "http://127.0.0.1:\(configuration.port)" }
        }
        if configuration.adminToken == nil { configuration.adminToken = "dev-admin-token" }
        if configuration.secrets.current == nil {
            if cluster != nil {
                // The throwaway database lives as long as this run, and so may its key.
                let made = SecretKey.generate()
                configuration.secrets = SecretKeyring(current: made.key)
                say("no BRIDGE_SECRET_KEY set: made key \(made.key.id) for this run to seal secrets at rest")
            } else {
                // A key made here would be gone at the next run, and DATABASE_URL's secrets with it.
                say("no BRIDGE_SECRET_KEY set: secrets in DATABASE_URL's database stay in the clear")
            }
        }

        let banner = Banner(
            configuration: configuration, senders: senders, sandboxURL: await sandbox?.baseURL,
            subscriberURL: subscriber.url,
            database: cluster == nil ? "DATABASE_URL" : "throwaway PostgreSQL on 127.0.0.1:\(cluster!.port)")
        let final = configuration
        do {
            try await BridgeRunner.run(configuration: final, migrate: true, logger: logger) { bridge in
                let port = bridge.boundPort.value ?? final.port
                let slots = await banner.freeSlots(count: 2 + DevSenders.kinds.count)
                print(banner.text(port: port, slots: slots))
                fflush(nil)
            }
        } catch {
            subscriber.stop()
            await sandbox?.stop()
            throw error
        }
        subscriber.stop()
        await sandbox?.stop()
        say("stopped; the throwaway database is removed")
    }

    private func say(_ text: String) {
        print("bookingbridge dev: \(text)")
        fflush(nil)
    }
}

/// Starts a throwaway PostgreSQL for `dev` and `bench`; when that fails, the reason is the command's error message.
func startThrowawayPostgres(durable: Bool = false, logger: Logger) throws -> EphemeralPostgres {
    var options = EphemeralPostgres.Options()
    options.durable = durable
    do {
        return try EphemeralPostgres.start(options: options, logger: logger)
    } catch let error as EphemeralPostgres.StartError {
        throw ValidationError(error.description)
    }
}

/// What `dev` prints once everything runs.
struct Banner: Sendable {
    let configuration: BridgeConfiguration
    let senders: DevSenders
    let sandboxURL: String?
    let subscriberURL: String
    let database: String

    /// Free starts of the demo link, read from the sandbox's availability (nil without the sandbox).
    func freeSlots(count: Int) async -> [Date] {
        guard let sandboxURL, let source = configuration.sources["demo"] else { return [] }
        let slug = source.slug.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? source.slug
        var starts: [Date] = []
        for offset in 0..<2 where starts.count < count {
            var request = HTTPClientRequest(
                url:
                    "\(sandboxURL)/scheduler/2026-03/meetings/meeting-links/book/availability-page/\(slug)?timezone=Europe%2FLondon&monthOffset=\(offset)"
            )
            request.headers.add(name: "Authorization", value: "Bearer \(configuration.hubspot.accessToken ?? "")")
            guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(5)),
                let body = try? await response.body.collect(upTo: 4 << 20),
                let page = try? JSONDecoder().decode(HubSpotAvailabilityPage.self, from: Data(buffer: body))
            else { continue }
            let minutes = Int64(source.durationMinutes ?? 30)
            let slots = page.linkAvailability.slots(durationMillis: minutes * 60_000)
            // Spread the picks out so the two examples do not collide.
            for (index, slot) in slots.enumerated() where index % 7 == 3 && starts.count < count {
                starts.append(Date(timeIntervalSince1970: Double(slot.startMillisUtc) / 1000))
            }
        }
        return starts
    }

    /// One signed `curl` per form service source `dev` configured (none when the configuration has its own).
    func senderText(base: String, slots: [Date]) -> String {
        let kinds = DevSenders.kinds.filter { configuration.sources[DevSenders.name($0)] != nil }
        guard !kinds.isEmpty else { return "" }
        var lines = [
            "Book one as each form service posts it (signed; the webflow and hubspot ones expire in 5 minutes):"
        ]
        for (index, kind) in kinds.enumerated() {
            let start =
                slots.count > 2 + index ? slots[2 + index] : Date().addingTimeInterval(Double(4 + index) * 86400)
            let curl = senders.curl(kind, base: base, publicURL: configuration.publicURL ?? base, start: start)
            lines.append("   \(kind.rawValue):")
            lines += curl.split(separator: "\n").map { "     " + $0 }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func text(port: Int, slots: [Date]) -> String {
        let base = "http://127.0.0.1:\(port)"
        let json = slots.first.map { $0.formatted(.iso8601) } ?? "2030-01-07T10:00:00Z"
        var london = Calendar(identifier: .gregorian)
        london.timeZone = TimeZone(identifier: "Europe/London")!
        let second = slots.count > 1 ? slots[1] : Date().addingTimeInterval(3 * 86400)
        let parts = london.dateComponents([.year, .month, .day, .hour, .minute], from: second)
        let date = String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
        let time = String(format: "%02d:%02d", parts.hour!, parts.minute!)
        return """

            ──────────────────────────────────────────────────────────────────────────────
             BookingBridge dev is running
               bridge            \(base)        (admin token: \(configuration.adminToken ?? ""))
               console           \(base)/console   (sign in with the admin token)
               HubSpot           \(sandboxURL.map { "sandbox at \($0)" } ?? configuration.hubspot.baseURL)
               database          \(database)
               demo subscriber   \(subscriberURL)   (prints every webhook below)
               demo source       POST \(base)/v1/intake/demo  → link \(configuration.sources["demo"]?.slug ?? "?")
               booking page      \(base)/book/demo   (open slots: \(base)/v1/sources/demo/slots)

             Book a meeting with JSON:
               curl -s -X POST \(base)/v1/intake/demo -H 'Content-Type: application/json' \\
                 -d '{"email":"ada@lovelace.dev","firstName":"Ada","lastName":"Lovelace","startTime":"\(json)","company":"Analytical Engines"}'

             Book one the way an HTML form posts (date and time in Europe/London):
               curl -s -X POST \(base)/v1/intake/demo \\
                 --data-urlencode 'email=grace@hopper.dev' --data-urlencode 'fullName=Grace Hopper' \\
                 --data-urlencode 'date=\(date)' --data-urlencode 'time=\(time)'

             \(senderText(base: base, slots: slots))
             Then look at the intent (its id is in the answer) and the webhook printed below:
               curl -s \(base)/v1/intents/INTENT_ID -H 'Authorization: Bearer \(configuration.adminToken ?? "")'

             Ctrl-C stops everything.
            ──────────────────────────────────────────────────────────────────────────────

            """
    }
}
