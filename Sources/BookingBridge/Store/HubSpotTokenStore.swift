import Crypto
import Foundation
import Logging
import PostgresNIO

/// SQL for `hubspot_oauth_tokens`: the OAuth refresh token to use next per HubSpot account, sealed with
/// `database.secrets` (context `hubspot_oauth:<account>`).
public struct HubSpotTokenStore: HubSpotRefreshTokenStore {
    public let database: Database

    public init(database: Database) { self.database = database }

    /// The `SecretKeyring` context prefix of a row; the account follows.
    static let contextPrefix = "hubspot_oauth:"

    /// Hex SHA-256 of a configured refresh token: identifies it without storing it.
    static func fingerprint(_ token: String) -> String {
        Hex.string(SHA256.hash(data: Data(token.utf8)))
    }

    /// Holds a transaction-scoped advisory lock per account while `refresh` runs (a token call, bounded by its
    /// timeout, about every 25 minutes per process), so two processes never refresh with the same token. Nothing is
    /// stored when `refresh` fails.
    public func refresh<T: Sendable>(
        account: String, configured: String,
        _ refresh: @escaping @Sendable (_ refreshToken: String) async throws -> (value: T, refreshToken: String?)
    ) async throws -> T {
        let secrets = database.secrets
        let logger = database.logger
        let context = Self.contextPrefix + account
        let fingerprint = Self.fingerprint(configured)
        // An error of `refresh` (a HubSpotError the caller classifies) comes out as itself, not wrapped.
        do {
            return try await database.withTransaction(logger: logger) { connection in
                try await connection.query(
                    """
                    -- One refresh per account at a time, across processes ("bbtoken" namespaces the key).
                    SELECT pg_advisory_xact_lock(hashtextextended('bbtoken:' || \(account), 0))
                    """, logger: logger)
                let rows = try await connection.query(
                    """
                    SELECT configured_sha256, refresh_token FROM hubspot_oauth_tokens WHERE account = \(account)
                    """, logger: logger)
                var token = configured
                for try await (storedFingerprint, stored) in rows.decode((String, String).self)
                where storedFingerprint == fingerprint {
                    token = try secrets.open(stored, context: context)
                }
                let (value, rotated) = try await refresh(token)
                let next = rotated.flatMap { $0.isEmpty ? nil : $0 } ?? token
                try await connection.query(
                    """
                    -- The token to use next, and which configured token it descends from.
                    INSERT INTO hubspot_oauth_tokens (account, configured_sha256, refresh_token)
                    VALUES (\(account), \(fingerprint), \(secrets.seal(next, context: context)))
                    ON CONFLICT (account) DO UPDATE
                    SET configured_sha256 = excluded.configured_sha256, refresh_token = excluded.refresh_token,
                        updated_at = now()
                    """, logger: logger)
                return value
            }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error
        }
    }
}
