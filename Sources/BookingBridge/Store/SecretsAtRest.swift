import Foundation
import Logging

/// What a starting bridge does about the secrets in its database, decided from what the sealed columns hold
/// (`SealedSecretStore.census`) and the keys it was given.
///
/// Values sealed under a key this process lacks would make deliveries unsignable and refreshes impossible, so
/// start-up refuses, naming the variable to set. With a current key, values still in the clear are sealed now (the
/// migration that introduced sealing cannot know the key); values under a previous key are only counted: moving
/// them is `rotate-key`'s job, and they open meanwhile.
public enum SecretsAtRest: Equatable, Sendable {
    /// Some values need a key this process lacks; `error` names the variable.
    case refuse(ConfigurationError)
    /// A key is set: seal `plain` values left in the clear; `previous` values are under a previous key.
    case seal(plain: Int, previous: Int)
    /// No key, and nothing is sealed: `plain` values stay in the clear.
    case clear(plain: Int)

    /// The decision for per-key counts summed over every sealed column (`""` counts values in the clear).
    public static func decide(counts: [String: Int], secrets: SecretKeyring) -> SecretsAtRest {
        let known = Set(secrets.keys.map(\.id))
        let missing = counts.filter { $0.key != "" && !known.contains($0.key) && $0.value > 0 }
        let plain = counts["", default: 0]
        if !missing.isEmpty {
            let sealed = missing.sorted { $0.key < $1.key }.map { "\($0.value) under key \($0.key)" }
                .joined(separator: ", ")
            guard let current = secrets.current else {
                return .refuse(
                    ConfigurationError(
                        key: "BRIDGE_SECRET_KEY",
                        expected: "set to the key that sealed the secrets in the database (\(sealed))"))
            }
            return .refuse(
                ConfigurationError(
                    key: "BRIDGE_SECRET_KEY_PREVIOUS",
                    expected: "set to include the key that sealed the secrets in the database (\(sealed)); "
                        + "BRIDGE_SECRET_KEY is key \(current.id)"))
        }
        guard let current = secrets.current else { return .clear(plain: plain) }
        let previous = counts.filter { $0.key != "" && $0.key != current.id }.values.reduce(0, +)
        return .seal(plain: plain, previous: previous)
    }

    /// The start-up step after migrations: refuses (throws the `ConfigurationError`), or seals what is in the clear.
    ///
    /// Idempotent, and safe with several processes starting at once: each takes rows with `SKIP LOCKED` and writes
    /// a row only if it still holds what was read (`SealedSecretStore.resealBatch`).
    public static func prepare(database: Database, logger: Logger) async throws {
        let store = SealedSecretStore(database: database)
        var counts: [String: Int] = [:]
        for (_, census) in try await store.census() { counts.merge(census, uniquingKeysWith: +) }
        switch decide(counts: counts, secrets: database.secrets) {
        case .refuse(let error):
            throw error
        case .clear(let plain):
            if plain > 0 {
                logger.warning(
                    "secrets are stored in the clear: set BRIDGE_SECRET_KEY to seal them",
                    metadata: ["values": "\(plain)"])
            }
        case .seal(let plain, let previous):
            if plain > 0 {
                let totals = try await store.resealAll(scope: .plain)
                logger.notice(
                    "sealed the secrets stored in the clear",
                    metadata: [
                        "key_id": "\(database.secrets.current?.id ?? "")",
                        "values": "\(totals.values.reduce(0, +))",
                    ])
            }
            if previous > 0 {
                logger.notice(
                    "some secrets are sealed under a previous key: run `bookingbridge rotate-key` to move them",
                    metadata: ["values": "\(previous)"])
            }
        }
    }
}
