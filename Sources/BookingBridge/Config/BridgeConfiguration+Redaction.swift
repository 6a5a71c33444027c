/// The configuration types that hold secrets (the database password, the admin token, HubSpot credentials, source
/// tokens and signing secrets, subscription secrets) describe themselves with those masked; see `Redaction`.
extension BridgeConfiguration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "databaseURL": databaseURL.map(Redaction.url) as Any, "databasePoolSize": databasePoolSize,
                "host": host, "port": port, "adminToken": Redaction.mask(adminToken) as Any,
                "publicURL": publicURL as Any, "hubspot": hubspot, "hubspotAccounts": hubspotAccounts,
                "sources": sources, "subscriptions": subscriptions,
                "webhooks": webhooks, "pipeline": pipeline, "intake": intake, "retention": retention,
                "logLevel": logLevel, "logFormat": logFormat,
            ], displayStyle: .struct)
    }

    public var description: String { Redaction.text(of: self) }
    public var debugDescription: String { description }
}

extension HubSpotSettings: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "baseURL": baseURL, "accessToken": Redaction.mask(accessToken) as Any, "clientID": clientID as Any,
                "clientSecret": Redaction.mask(clientSecret) as Any,
                "refreshToken": Redaction.mask(refreshToken) as Any, "account": account as Any,
                "rateLimitPer10s": rateLimitPer10s, "dailyLimit": dailyLimit,
                "connectTimeoutSeconds": connectTimeoutSeconds, "requestTimeoutSeconds": requestTimeoutSeconds,
            ], displayStyle: .struct)
    }

    public var description: String { Redaction.text(of: self) }
    public var debugDescription: String { description }
}

extension SourceConfiguration.Auth: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var customMirror: Mirror {
        switch self {
        case .public(let origins, let honeypot):
            Mirror(self, children: ["allowedOrigins": origins, "honeypotField": honeypot as Any], displayStyle: .enum)
        case .token:
            Mirror(self, children: ["token": Redaction.masked], displayStyle: .enum)
        case .hmac, .typeform, .tally, .webflow, .hubspot:
            Mirror(self, children: ["mode": mode, "secret": Redaction.masked], displayStyle: .enum)
        }
    }

    public var description: String {
        switch self {
        case .public(let origins, let honeypot):
            "public(allowedOrigins: \(origins), honeypotField: \(String(describing: honeypot)))"
        case .token: "token(\(Redaction.masked))"
        case .hmac, .typeform, .tally, .webflow, .hubspot: "\(mode)(secret: \(Redaction.masked))"
        }
    }

    public var debugDescription: String { description }
}

/// `description` is a stored property here (the subscription's), so only the debug description and the mirror,
/// which `"\(seed)"` and `"\([seed])"` both go through, are redacted.
extension SubscriptionSeed: CustomDebugStringConvertible, CustomReflectable {
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "url": url, "eventTypes": eventTypes, "sources": sources as Any, "description": description as Any,
                "secret": Redaction.mask(secret) as Any,
            ], displayStyle: .struct)
    }

    public var debugDescription: String { Redaction.text(of: self) }
}
