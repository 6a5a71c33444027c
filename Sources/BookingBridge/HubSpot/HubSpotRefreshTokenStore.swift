/// Where the OAuth refresh token in use is kept across processes and restarts (`HubSpotTokenStore` in PostgreSQL).
///
/// HubSpot may hand out a new refresh token with each refresh and refuse the old one afterwards; held only in
/// memory, the new one would be lost at a restart, and a second process would go on refreshing with the configured
/// one and be refused.
public protocol HubSpotRefreshTokenStore: Sendable {
    /// Runs `refresh` with the refresh token to use now for `account`, one caller at a time across every process,
    /// and keeps the token `refresh` returns for next time.
    ///
    /// The token to use is the stored one when it descends from `configured`, else `configured` itself (a token
    /// configured anew after authorizing the app again wins over what was stored before).
    func refresh<T: Sendable>(
        account: String, configured: String,
        _ refresh: @escaping @Sendable (_ refreshToken: String) async throws -> (value: T, refreshToken: String?)
    ) async throws -> T
}
