import Foundation
import HTTPTypes

/// A source's authentication, prepared once from its configuration: decisions only, no I/O.
struct SourceAuth: Sendable {
    enum Mode: Sendable {
        case `public`(OriginPolicy, honeypotField: String?)
        case token([UInt8])
        case hmac([StandardWebhooks.Secret])
        /// A form service's own signature scheme with its secret's bytes.
        case sender(SenderSignature, secret: [UInt8])
        /// The configuration cannot be used (a secret that is not `whsec_` base64); every post is refused.
        case misconfigured(String)
    }

    var mode: Mode
    /// Whether the token may also come as `?token=` in the URL (Jotform cannot set headers).
    var acceptsQueryToken = false
    /// Whether a public source also takes posts from the bridge's own origin: its hosted booking page (also when
    /// framed by an allowed site) posts from there, whatever `allowedOrigins` lists.
    var allowsOwnOrigin = false

    init(_ auth: SourceConfiguration.Auth, kind: SourceConfiguration.Kind = .form) {
        acceptsQueryToken = kind == .jotform
        switch auth {
        case .public(let origins, let honeypot):
            mode = .public(OriginPolicy(origins), honeypotField: honeypot.flatMap { $0.isEmpty ? nil : $0 })
        case .token(let token):
            mode = token.isEmpty ? .misconfigured("the source's token is empty") : .token(Array(token.utf8))
        case .hmac(let secret):
            if let parsed = try? StandardWebhooks.Secret(secret) {
                mode = .hmac([parsed])
            } else {
                mode = .misconfigured("the source's secret is not whsec_ followed by base64")
            }
        case .typeform(let secret): mode = .sender(.typeform, secret: Array(secret.utf8))
        case .tally(let secret): mode = .sender(.tally, secret: Array(secret.utf8))
        case .webflow(let secret): mode = .sender(.webflow, secret: Array(secret.utf8))
        case .hubspot(let secret): mode = .sender(.hubspot, secret: Array(secret.utf8))
        }
    }

    var honeypotField: String? {
        if case .public(_, let field) = mode { return field }
        return nil
    }

    /// Whether posts carry a signature over their `webhook-id` (an `hmac` source).
    var isSigned: Bool {
        if case .hmac = mode { return true }
        return false
    }

    var isPublic: Bool {
        if case .public = mode { return true }
        return false
    }

    /// Checks what can be checked before reading the body: the browser origin or the bearer token.
    ///
    /// `queryToken` is the URL's `token` parameter, which counts only for sources that accept it (`jotform`).
    /// `authority` is the request's own `Host`, which a browser's `Origin` matches on a post from the bridge's page.
    func checkHeaders(
        _ headers: HTTPFields, queryToken: String? = nil, authority: String? = nil
    ) throws(IntakeError) {
        switch mode {
        case .public(let policy, _):
            let own =
                allowsOwnOrigin
                && OriginPolicy.isOwn(origin: headers[.origin], referer: headers[.referer], authority: authority)
            guard own || policy.allows(origin: headers[.origin], referer: headers[.referer]) else {
                throw IntakeError(.forbidden, "this form may only be posted from its own web site")
            }
        case .token(let token):
            if acceptsQueryToken, let queryToken, ConstantTime.equal(Array(queryToken.utf8), token) { return }
            guard let header = headers[.authorization], header.count > 7,
                header.prefix(7).lowercased() == "bearer ",
                ConstantTime.equal(Array(header.utf8.dropFirst(7)), token)
            else {
                throw IntakeError(
                    .unauthorized, "send Authorization: Bearer with the source's token",
                    headers: [.wwwAuthenticate: "Bearer"])
            }
        case .hmac, .sender:
            break
        case .misconfigured(let reason):
            throw IntakeError(.unauthorized, "this source cannot accept posts: \(reason)")
        }
    }

    /// Checks a Standard Webhooks signature over the raw body bytes (for `hmac` sources; others pass).
    ///
    /// A timestamp more than 5 minutes from `now` is refused. Replays within those 5 minutes carry the same
    /// `webhook-id`, which is the intent's idempotency key: replay protection is through idempotency, and a replay
    /// gets the first intent back instead of making a second one.
    func checkSignature(_ headers: HTTPFields, body: [UInt8], now: Date) throws(IntakeError) {
        guard case .hmac(let secrets) = mode else { return }
        do {
            try StandardWebhooks.verify(
                id: headers[.webhookID], timestamp: headers[.webhookTimestamp],
                signatureHeader: headers[.webhookSignature], body: body, secrets: secrets, now: now, tolerance: 300)
        } catch {
            throw IntakeError(.unauthorized, error.description)
        }
    }

}

/// The token's bytes and the signing keys never show in a description (see `Redaction`).
extension SourceAuth: CustomStringConvertible, CustomReflectable {
    var customMirror: Mirror { Mirror(self, children: ["mode": description], displayStyle: .struct) }

    var description: String {
        switch mode {
        case .public(let policy, let honeypot):
            "SourceAuth(public, origins: \(policy.verbatim.sorted()), honeypot: \(String(describing: honeypot)))"
        case .token: "SourceAuth(token: \(Redaction.masked))"
        case .hmac(let secrets): "SourceAuth(hmac: \(secrets.count) secret(s))"
        case .sender(let scheme, _): "SourceAuth(\(scheme): \(Redaction.masked))"
        case .misconfigured(let reason): "SourceAuth(misconfigured: \(reason))"
        }
    }
}
