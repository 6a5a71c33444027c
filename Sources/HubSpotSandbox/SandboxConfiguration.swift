/// How an embedded or stand-alone ``HubSpotSandbox`` listens, which credentials it accepts and how it limits callers.
public struct SandboxConfiguration: Sendable {
    /// Address to bind. Use `0.0.0.0` inside a container.
    public var host: String = "127.0.0.1"
    /// Port to bind; `0` picks a free port (read it back from ``HubSpotSandbox/port``).
    public var port: Int = 8090
    /// Static bearer token with every scope (a private-app token).
    public var token: String = "sandbox-token"
    /// Static bearer token with the scheduler read scope only: `/book` answers 403 `MISSING_SCOPES`.
    public var readOnlyToken: String = "sandbox-read-only"
    /// Static bearer token that books and reads the scheduler but lacks the CRM read scope
    /// (`crm.objects.contacts.read`): the CRM reads answer 403 `MISSING_SCOPES`. ``token`` and OAuth tokens hold it.
    public var noCRMToken: String = "sandbox-no-crm"
    /// Requests allowed per rolling 10 s, per app: each static token is one private app, and all OAuth access
    /// tokens belong to the one public app.
    public var rateLimit: Int = 100
    /// Requests allowed per day, shared by every static token of the account (OAuth callers have no daily limit,
    /// like HubSpot). The day ends at midnight in ``accountTimeZone``.
    public var dailyLimit: Int = 250_000
    /// IANA zone of the account: its daily limit resets at midnight there, as HubSpot's does.
    public var accountTimeZone: String = "America/New_York"
    /// Faults injected from the start; change them at run time with ``HubSpotSandbox/setFaults(_:)``.
    public var faults: SandboxFaults = .init()
    /// OAuth client id accepted by `POST /oauth/2026-03/token`.
    public var oauthClientID: String = "sandbox-client-id"
    /// OAuth client secret accepted by `POST /oauth/2026-03/token`.
    public var oauthClientSecret: String = "sandbox-client-secret"
    /// The first valid refresh token; every refresh rotates it and the old one stops working.
    public var oauthRefreshToken: String = "sandbox-refresh-token"
    /// Lifetime of issued OAuth access tokens (`expires_in`); an expired one gets 401 `EXPIRED_AUTHENTICATION`.
    /// ``SandboxFaults/tokenLifetimeSeconds`` overrides it at run time.
    public var oauthAccessTokenLifetimeSeconds: Int = 1800

    /// Defaults: port 8090, HubSpot's Free/Starter limits (100 per 10 s, 250,000 per day), no faults.
    public init() {}
}
