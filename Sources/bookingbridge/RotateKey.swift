import ArgumentParser
import BookingBridge
import Foundation
import Logging
import PostgresNIO

/// `bookingbridge rotate-key --new-key BASE64`: seals every secret at rest under a new key, in batches, while
/// bridges keep running.
struct RotateKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-key",
        abstract: "Seal every secret at rest under a new key, in batches, while the bridges run.",
        discussion: """
            Before: give every bridge the new key as BRIDGE_SECRET_KEY and the old one in BRIDGE_SECRET_KEY_PREVIOUS \
            (comma-separated for several), and restart them; they then seal with the new key and still open the old \
            one. This command opens values with --new-key, BRIDGE_SECRET_KEY and BRIDGE_SECRET_KEY_PREVIOUS, seals \
            each under --new-key (values still in the clear too), and prints the rows done per table. Safe to run \
            again: a second run changes nothing. After: drop the old key from BRIDGE_SECRET_KEY_PREVIOUS. Needs \
            DATABASE_URL.
            """)

    @Option(name: .customLong("new-key"), help: "The new key: 32 random bytes in base64 (openssl rand -base64 32).")
    var newKey: String

    @Option(name: .customLong("batch-size"), help: "Rows per transaction.")
    var batchSize = 100

    func validate() throws {
        guard SecretKey(base64: newKey) != nil else {
            throw ValidationError(
                "--new-key must be 32 random bytes in base64 (make one with `openssl rand -base64 32`)")
        }
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
    }

    func run() async throws {
        let configuration = try loadConfiguration()
        guard let url = configuration.databaseURL else { throw ValidationError("DATABASE_URL is not set") }
        let logger = bootstrapLogging(configuration)
        let key = SecretKey(base64: newKey)!
        let secrets = SecretKeyring.rotating(to: key, from: configuration.secrets)
        let database = try Database(url: url, maximumConnections: 1, secrets: secrets, logger: logger)
        print(
            "sealing every secret under key \(key.id) (opening with \(secrets.keys.map(\.id).joined(separator: ", ")))")
        fflush(nil)
        let totals: [SealedColumn: Int]
        do {
            totals = try await runBatches(database: database)
        } catch let error as SealingError {
            throw ValidationError(
                "\(error); set the key that sealed it in BRIDGE_SECRET_KEY or BRIDGE_SECRET_KEY_PREVIOUS")
        }
        for column in SealedColumn.all {
            print("\(column): \(totals[column] ?? 0) sealed again")
        }
        print(
            "every secret is sealed under key \(key.id); the old key can now be dropped from BRIDGE_SECRET_KEY_PREVIOUS"
        )
    }

    private func runBatches(database: Database) async throws -> [SealedColumn: Int] {
        let batchSize = self.batchSize
        let totals = try await withThrowingTaskGroup(of: [SealedColumn: Int]?.self) { group in
            group.addTask {
                await database.client.run()
                return nil
            }
            defer { group.cancelAll() }
            await database.runStarted()
            return try await SealedSecretStore(database: database).resealAll(scope: .notCurrent, batchSize: batchSize) {
                column, done in
                print("  \(column): \(done) done")
                fflush(nil)
            }
        }
        return totals ?? [:]
    }
}
