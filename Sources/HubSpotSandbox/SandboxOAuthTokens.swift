/// OAuth state of the sandbox's one app install: the current refresh token and the access tokens issued.
///
/// Each refresh issues a new access token and rotates the refresh token; the old refresh token stops working, while
/// access tokens issued earlier stay valid until they expire.
struct SandboxOAuthTokens: Sendable {
    let clientID: String
    let clientSecret: String
    private(set) var refreshToken: String
    let lifetimeSeconds: Int
    /// Issue time (epoch ms) of every access token issued in the last day.
    private var issuedAt: [String: Int64] = [:]

    init(clientID: String, clientSecret: String, refreshToken: String, lifetimeSeconds: Int) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.refreshToken = refreshToken
        self.lifetimeSeconds = lifetimeSeconds
    }

    /// Answer of a successful refresh.
    struct Issued: Sendable, Encodable, Equatable {
        var tokenType = "bearer"
        var accessToken: String
        var refreshToken: String
        var expiresIn: Int

        enum CodingKeys: String, CodingKey {
            case tokenType = "token_type", accessToken = "access_token", refreshToken = "refresh_token"
            case expiresIn = "expires_in"
        }
    }

    enum Check: Sendable, Equatable {
        case valid
        case expired(atMillis: Int64)
        case unknown
    }

    /// Whether `accessToken` was issued here and is still valid at `now`, when tokens live `lifetimeOverride`
    /// seconds (or the configured lifetime) from their issue.
    func check(_ accessToken: String, now: Int64, lifetimeOverride: Int? = nil) -> Check {
        guard let issued = self.issuedAt[accessToken] else { return .unknown }
        let expiry = issued + Int64(lifetimeOverride ?? self.lifetimeSeconds) * 1000
        return now < expiry ? .valid : .expired(atMillis: expiry)
    }

    /// Handles the form of `POST /oauth/2026-03/token`; the new token's `expires_in` is `lifetimeOverride` when
    /// given.
    mutating func refresh(
        form: [String: String], now: Int64, lifetimeOverride: Int? = nil
    ) -> Result<Issued, SandboxAPIError> {
        guard let grantType = form["grant_type"], !grantType.isEmpty else {
            return .failure(.oauth("invalid_request", status: "BAD_REQUEST", description: "missing grant_type"))
        }
        guard grantType == "refresh_token" else {
            return .failure(
                .oauth(
                    "unsupported_grant_type", status: "BAD_GRANT_TYPE",
                    description: "unsupported grant_type \(grantType)")
            )
        }
        guard form["client_id"] == self.clientID, form["client_secret"] == self.clientSecret else {
            return .failure(
                .oauth(
                    "invalid_client", status: "BAD_CLIENT_ID",
                    description: "missing or unknown client_id or client_secret"))
        }
        guard form["refresh_token"] == self.refreshToken else { return .failure(.badRefreshToken) }
        self.issuedAt = self.issuedAt.filter { $0.value > now - 2 * 86_400_000 }
        let issued = Issued(
            accessToken: "sandbox-at-" + SandboxIDs.hex(count: 32),
            refreshToken: "sandbox-rt-" + SandboxIDs.hex(count: 32),
            expiresIn: lifetimeOverride ?? self.lifetimeSeconds
        )
        self.issuedAt[issued.accessToken] = now
        self.refreshToken = issued.refreshToken
        return .success(issued)
    }
}
