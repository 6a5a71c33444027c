import AsyncHTTPClient
import BookingBridge
import Foundation
import HubSpotSandbox
import Logging
import PostgresNIO
import Testing

/// Secrets at rest against the test suite's real PostgreSQL: what the tables hold, sealing at start-up, a refused
/// start-up, `rotate-key` while deliveries are signed, a database dump, and the OAuth refresh token kept sealed.
@Suite("Secrets sealed at rest (PostgreSQL)", .serialized)
struct SealedSecretsDatabaseTests {
    static let oldKey = SecretKey.generate()
    static let newKey = SecretKey.generate()

    /// `secret` and `previous_secret` of every subscription as stored.
    static func stored(_ database: Database) async throws -> [(String, String?)] {
        var result: [(String, String?)] = []
        let rows = try await database.client.query(
            "SELECT secret, previous_secret FROM subscriptions ORDER BY id", logger: database.logger)
        for try await row in rows.decode((String, String?).self) { result.append(row) }
        return result
    }

    @Test("subscription secrets are sealed in the table and read back usable; rotate-secret and seeding seal too")
    func storedSealed() async throws {
        try await TestDatabase.withFreshDatabase { plainDatabase in
            let database = plainDatabase.with(secrets: SecretKeyring(current: Self.oldKey.key))
            let store = SubscriptionStore(database: database)
            let created = try await store.create(NewSubscription(url: "http://127.0.0.1:9/a", eventTypes: ["*"]))
            #expect(created.secret.hasPrefix("whsec_"))
            #expect(try await store.find(id: created.id)?.secret == created.secret)
            let rotated = try #require(
                try await store.rotateSecret(
                    id: created.id, newSecret: StandardWebhooks.Secret.generate().text, overlap: .seconds(60)))
            #expect(rotated.previousSecret == created.secret)
            try await SubscriptionSeeder.seed(
                [SubscriptionSeed(url: "http://127.0.0.1:9/b", secret: created.secret)], database: database,
                logger: TestDatabase.logger)
            let seeded = try #require(try await store.list().first { $0.url.hasSuffix("/b") })
            #expect(seeded.secret == created.secret)
            let raw = try await Self.stored(database)
            #expect(raw.count == 2)
            for (secret, previous) in raw {
                #expect(secret.hasPrefix("sealed:v1:\(Self.oldKey.key.id):"))
                #expect(previous.map { $0.hasPrefix("sealed:v1:\(Self.oldKey.key.id):") } ?? true)
                #expect(!secret.contains(created.secret) && !secret.contains(rotated.secret))
            }
            // Claimed deliveries carry the opened secrets.
            _ = try await database.client.withTransaction(logger: TestDatabase.logger) { connection in
                try await Outbox.enqueue(
                    type: WebhookEventType.bookingConfirmed, data: ["n": 1], source: nil, intentID: nil,
                    on: connection, logger: TestDatabase.logger)
            }
            let claimed = try await DeliveryStore(database: database).claim(
                owner: "test", limit: 10, quotas: [:], defaultQuota: 10, lease: .seconds(30))
            #expect(claimed.count == 2)
            let first = try #require(claimed.first { $0.subscriptionID == created.id })
            #expect(first.secret == rotated.secret)
            #expect(first.previousSecret == created.secret)
            // A process without the key cannot read them.
            await #expect(throws: SealingError.self) { try await SubscriptionStore(database: plainDatabase).list() }
        }
    }

    @Test("start-up seals the values left in the clear, once, also with several processes starting at once")
    func startUpSeals() async throws {
        try await TestDatabase.withFreshDatabase { plainDatabase in
            let plainStore = SubscriptionStore(database: plainDatabase)
            var before: [UUID: String] = [:]
            for n in 0..<30 {
                let s = try await plainStore.create(
                    NewSubscription(url: "http://127.0.0.1:9/\(n)", eventTypes: ["*"]))
                before[s.id] = s.secret
            }
            #expect(try await Self.stored(plainDatabase).allSatisfy { !$0.0.hasPrefix("sealed:") })
            let database = plainDatabase.with(secrets: SecretKeyring(current: Self.newKey.key))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 {
                    group.addTask { try await SecretsAtRest.prepare(database: database, logger: TestDatabase.logger) }
                }
                try await group.waitForAll()
            }
            let sealed = try await Self.stored(database)
            #expect(sealed.allSatisfy { $0.0.hasPrefix("sealed:v1:\(Self.newKey.key.id):") })
            let after = try await SubscriptionStore(database: database).list()
            #expect(Dictionary(uniqueKeysWithValues: after.map { ($0.id, $0.secret) }) == before)
            // A second start changes nothing.
            try await SecretsAtRest.prepare(database: database, logger: TestDatabase.logger)
            #expect(try await Self.stored(database).map(\.0) == sealed.map(\.0))
        }
    }

    @Test("a bridge without the key that sealed the secrets refuses to start, naming BRIDGE_SECRET_KEY")
    func startUpRefused() async throws {
        try await TestDatabase.withFreshDatabase(migrate: true) { database, url in
            let sealing = database.with(secrets: SecretKeyring(current: Self.oldKey.key))
            _ = try await SubscriptionStore(database: sealing).create(
                NewSubscription(url: "http://127.0.0.1:9/a", eventTypes: ["*"]))
            func start(_ secrets: SecretKeyring) async throws -> (any Error)? {
                var configuration = TestBridge.configuration(databaseURL: url, sandboxURL: "http://127.0.0.1:9")
                configuration.secrets = secrets
                let final = configuration
                return try await withThrowingTaskGroup(of: (any Error)?.self) { group in
                    group.addTask {
                        do {
                            try await BridgeRunner.run(configuration: final, migrate: true, logger: TestBridge.logger)
                            return nil
                        } catch {
                            return error
                        }
                    }
                    group.addTask {
                        try await Task.sleep(for: .seconds(20))
                        return TestFailure("the bridge started")
                    }
                    defer { group.cancelAll() }
                    return try await group.next()!
                }
            }
            let none = try #require(try await start(.none) as? ConfigurationError)
            #expect(none.key == "BRIDGE_SECRET_KEY")
            #expect(none.description.contains("BRIDGE_SECRET_KEY"))
            #expect(none.description.contains(Self.oldKey.key.id))
            let other = try #require(try await start(SecretKeyring(current: Self.newKey.key)) as? ConfigurationError)
            #expect(other.key == "BRIDGE_SECRET_KEY_PREVIOUS")
        }
    }

    @Test("rotate-key while deliveries are signed: every delivery verifies, during and after, and a rerun is a no-op")
    func rotationWhileDelivering() async throws {
        try await TestWebhooks.run { h in
            let old = h.database.with(secrets: SecretKeyring(current: Self.oldKey.key))
            let rotating = h.database.with(
                secrets: SecretKeyring.rotating(to: Self.newKey.key, from: old.secrets))
            var ids: [UUID] = []
            for n in 0..<12 {
                let s = try await SubscriptionStore(database: old).create(
                    NewSubscription(url: h.url("/s\(n)"), eventTypes: ["*"]))
                try await h.log.register(path: "/s\(n)", secret: s.secret)
                ids.append(s.id)
            }
            // One subscription in its overlap after a secret rotation: both of its columns hold secrets.
            let renewed = StandardWebhooks.Secret.generate().text
            _ = try await SubscriptionStore(database: old).rotateSecret(
                id: ids[0], newSecret: renewed, overlap: .seconds(600))
            try await h.log.register(path: "/s0", secret: renewed)

            // Bridges run with the new key current and the old one previous while rotate-key moves the rows.
            let dispatcher = WebhookDispatcher(
                database: rotating, settings: TestWebhooks.settings(), httpClient: h.http,
                logger: TestWebhooks.logger)
            var events: [String] = []
            let store = SealedSecretStore(database: rotating)
            let columns = SealedColumn.all.filter { $0.table == "subscriptions" }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await dispatcher.run() }
                defer { group.cancelAll() }
                // Two rows per batch, an event between batches: deliveries are signed from rows under either key.
                for column in columns {
                    while try await store.resealBatch(column, scope: .notCurrent, limit: 2) > 0 {
                        events.append(try await h.enqueue())
                        dispatcher.wake()
                        try await Task.sleep(for: .milliseconds(30))
                    }
                }
                events.append(try await h.enqueue())
                dispatcher.wake()
                let expected = events.count * ids.count
                try await eventually(timeout: .seconds(60), "every delivery") {
                    await h.log.received.count >= expected
                }
            }
            let received = await h.log.received
            #expect(received.count == events.count * ids.count)
            let unverified = received.filter { !$0.verified }.map(\.path)
            #expect(unverified.isEmpty, "unverified deliveries to \(unverified)")
            #expect(events.count > 5)

            let stored = try await Self.stored(h.database)
            #expect(stored.allSatisfy { $0.0.hasPrefix("sealed:v1:\(Self.newKey.key.id):") })
            #expect(stored.compactMap(\.1).count == 1)
            #expect(stored.compactMap(\.1).allSatisfy { $0.hasPrefix("sealed:v1:\(Self.newKey.key.id):") })
            let again = try await store.resealAll(scope: .notCurrent)
            #expect(again.values.reduce(0, +) == 0)
            #expect(try await Self.stored(h.database).map(\.0) == stored.map(\.0))

            // The old key can go: a bridge with only the new one signs as before.
            let only = h.database.with(secrets: SecretKeyring(current: Self.newKey.key))
            try await SecretsAtRest.prepare(database: only, logger: TestWebhooks.logger)
            let last = try await h.enqueue()
            let subscriptions = ids.count
            let after = WebhookDispatcher(
                database: only, settings: TestWebhooks.settings(), httpClient: h.http, logger: TestWebhooks.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await after.run() }
                defer { group.cancelAll() }
                after.wake()
                try await eventually(timeout: .seconds(30), "deliveries with the new key only") {
                    await h.log.received.filter { $0.id == last }.count == subscriptions
                }
            }
            #expect(await h.log.received.filter { $0.id == last }.allSatisfy(\.verified))
        }
    }

    @Test("a pg_dump of the database holds no usable secret: neither the whsec_ text nor its base64 body")
    func dump() async throws {
        let pgDump = try Self.pgDump()
        try await TestDatabase.withFreshDatabase(migrate: true) { plainDatabase, url in
            let database = plainDatabase.with(secrets: SecretKeyring(current: Self.newKey.key))
            let store = SubscriptionStore(database: database)
            var secrets: [String] = []
            for n in 0..<3 {
                let s = try await store.create(NewSubscription(url: "http://127.0.0.1:9/\(n)", eventTypes: ["*"]))
                secrets.append(s.secret)
            }
            let renewed = StandardWebhooks.Secret.generate().text
            _ = try await store.rotateSecret(
                id: try await store.list()[0].id, newSecret: renewed, overlap: .seconds(60))
            secrets.append(renewed)
            let token = "rt-" + UUID().uuidString
            _ = try await HubSpotTokenStore(database: database).refresh(account: "dump", configured: "configured") {
                _ in ((), token)
            }
            let text = try Self.run(pgDump, ["--dbname=\(url)", "--no-owner"])
            #expect(text.contains("COPY public.subscriptions"))
            #expect(text.contains("sealed:v1:\(Self.newKey.key.id):"))
            for secret in secrets {
                #expect(!text.contains(secret))
                #expect(!text.contains(String(secret.dropFirst("whsec_".count))))
            }
            #expect(!text.contains(token))
            // The same check sees a secret stored in the clear (so a pass means something).
            _ = try await SubscriptionStore(database: plainDatabase).create(
                NewSubscription(url: "http://127.0.0.1:9/clear", eventTypes: ["*"], secret: secrets[0]))
            let clear = try Self.run(pgDump, ["--dbname=\(url)", "--no-owner"])
            #expect(clear.contains(String(secrets[0].dropFirst("whsec_".count))))
        }
    }

    @Test("a refresh token HubSpot rotates is kept sealed: a second process and a restart refresh with it")
    func refreshTokenKept() async throws {
        try await TestDatabase.withFreshDatabase { plainDatabase in
            let database = plainDatabase.with(secrets: SecretKeyring(current: Self.newKey.key))
            try await TestHubSpot.withSandbox { _, baseURL in
                try await TestHubSpot.withHTTPClient { http in
                    func process() -> HubSpotTokenProvider {
                        HubSpotTokenProvider(
                            oauth: HubSpotOAuthTests.credentials, baseURL: baseURL, httpClient: http,
                            tokenStore: HubSpotTokenStore(database: database), account: "oauth-test",
                            logger: TestHubSpot.logger)
                    }
                    let first = process()
                    _ = try await first.token()
                    let rotated = try #require(await first.currentRefreshToken)
                    #expect(rotated != HubSpotOAuthTests.credentials.refreshToken)
                    // The sandbox accepts only the newest refresh token: both of these would be refused with the
                    // configured one.
                    let second = process()
                    _ = try await second.token()
                    let restarted = process()
                    _ = try await restarted.token()
                    #expect(await restarted.refreshCount == 1)
                    let rows = try await database.client.query(
                        "SELECT refresh_token FROM hubspot_oauth_tokens", logger: database.logger)
                    var stored: [String] = []
                    for try await token in rows.decode(String.self) { stored.append(token) }
                    #expect(stored.count == 1)
                    #expect(stored.allSatisfy { $0.hasPrefix("sealed:v1:\(Self.newKey.key.id):") })
                    #expect(!stored.contains(rotated))
                    #expect(
                        try await SealedSecretStore(database: database).census().values.allSatisfy {
                            $0.keys.allSatisfy { $0 == Self.newKey.key.id }
                        })
                }
            }
        }
    }

    /// `pg_dump` from the folder `pg_config --bindir` names, or Debian's.
    static func pgDump() throws -> String {
        var candidates: [String] = []
        if let bindir = try? run("/usr/bin/env", ["pg_config", "--bindir"]) {
            candidates.append(bindir.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let debian = "/usr/lib/postgresql"
        for version in (try? FileManager.default.contentsOfDirectory(atPath: debian)) ?? [] {
            candidates.append("\(debian)/\(version)/bin")
        }
        guard let dir = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0 + "/pg_dump") })
        else { throw TestFailure("pg_dump not found (pg_config --bindir)") }
        return dir + "/pg_dump"
    }

    /// Runs a program and returns its standard output; throws on a non-zero exit.
    static func run(_ path: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFailure("\(path) exited with \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
