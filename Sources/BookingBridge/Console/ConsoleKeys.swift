import Crypto
import Foundation

/// The console's secrets, all derived from the admin token: changing the token ends every session.
///
/// A session cookie is `<id>.<mac>`: a random id and an HMAC-SHA256 of it, so a forged or altered cookie is
/// refused before the database is asked. The CSRF token of a session is another HMAC of its id, so a page can carry
/// it without any server state. The token itself is only ever compared, never stored or shown.
struct ConsoleKeys: Sendable {
    /// Kept as bytes: `SymmetricKey` is not `Sendable`.
    private let signing: [UInt8]
    private let tokenDigest: [UInt8]

    init(adminToken: String) {
        let tokenKey = SymmetricKey(data: Data(adminToken.utf8))
        signing = Array(
            HMAC<SHA256>.authenticationCode(for: Data("bookingbridge console v1".utf8), using: tokenKey))
        tokenDigest = Array(SHA256.hash(data: Data(adminToken.utf8)))
    }

    /// Whether `offered` is the admin token. Both sides are hashed first, so the comparison takes the same time
    /// whatever the offered token's length and wherever it differs.
    func isAdminToken(_ offered: String) -> Bool {
        ConstantTime.equal(Array(SHA256.hash(data: Data(offered.utf8))), tokenDigest)
    }

    /// A new random session id (32 bytes, base64url).
    static func newSessionID() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// What the database keeps of a session id.
    static func digest(sessionID: String) -> String {
        Hex.string(SHA256.hash(data: Data(sessionID.utf8)))
    }

    func cookieValue(sessionID: String) -> String { sessionID + "." + mac("session:" + sessionID) }

    /// The session id of a cookie whose signature holds; `nil` for anything else.
    func sessionID(cookie: String) -> String? {
        let parts = cookie.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].utf8.count == 43, parts[1].utf8.count == 43 else { return nil }
        let id = String(parts[0])
        return ConstantTime.equal(Array(parts[1].utf8), Array(mac("session:" + id).utf8)) ? id : nil
    }

    /// The CSRF token every state-changing form of the session carries.
    func csrfToken(sessionID: String) -> String { mac("csrf:" + sessionID) }

    func isCSRFToken(_ offered: String?, sessionID: String) -> Bool {
        guard let offered else { return false }
        return ConstantTime.equal(Array(offered.utf8), Array(csrfToken(sessionID: sessionID).utf8))
    }

    /// The sign-in form's token, bound to the pre-session cookie the form page set (a sign-in needs no session).
    func signInToken(nonce: String) -> String { mac("sign-in:" + nonce) }

    private func mac(_ text: String) -> String {
        Base64URL.encode(
            Array(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: signing))))
    }
}
