import Crypto
import Foundation
import HTTPTypes

/// The key that makes a repeated submission return the first intent instead of creating another one.
///
/// In order: the `Idempotency-Key` header, else the `webhook-id` header (for `hmac` sources the signed `webhook-id`
/// only). A submission without either gets a key of its own, so each post is a new intent, except that a public
/// form's post also carries a `fingerprint`: a repeat of the same request within `fingerprintWindow` of submission
/// time gets the first intent back while that one is still pending or booked (see
/// `IntentStore.insertFingerprinted`), which catches double clicks and reloads. The kinds are prefixed so that
/// one kind's value can never collide with another's.
enum IdempotencyKey {
    static let maximumLength = 255
    /// How long after a public form's submission a repeat of the same request still gets its intent back.
    static let fingerprintWindow: Duration = .seconds(10 * 60)

    /// The key a client sent, if any; a malformed one is refused (400) rather than silently ignored.
    ///
    /// For a `signed` source (`hmac`) only `webhook-id` counts: the signature covers it, so a captured post sent
    /// again with any other header still gets its first intent back. An `Idempotency-Key` there is not signed and
    /// is ignored, or anyone holding one signed post could make it into as many intents as they like.
    static func offered(_ headers: HTTPFields, signed: Bool = false) throws(IntakeError) -> String? {
        if signed {
            return try headers[.webhookID].map { id throws(IntakeError) in
                "webhook:" + (try checked(id, header: "webhook-id"))
            }
        }
        if let key = headers[.idempotencyKey] {
            return "key:" + (try checked(key, header: "Idempotency-Key"))
        }
        if let id = headers[.webhookID] {
            return "webhook:" + (try checked(id, header: "webhook-id"))
        }
        return nil
    }

    /// The key of a submission that offered none: unique to the intent `id`.
    static func unique(id: UUID, fingerprinted: Bool) -> String {
        (fingerprinted ? "fp:" : "none:") + id.lowercasedString
    }

    /// The fingerprint of a public form's submission: a digest of the source and the whole normalized booking
    /// request (the e-mail in lower case), so that only a repeat of exactly the same request matches. A request that
    /// differs in anything (another duration, another name) is another request and gets an intent of its own, so
    /// nobody can claim a person's slot by posting their e-mail first. `nil` for sources that are not public.
    static func fingerprint(source: String, isPublic: Bool, request: BookingRequest, spam: Bool) -> String? {
        guard isPublic else { return nil }
        var normalized = request
        normalized.email = request.email.lowercased()
        let material = source + "\n" + IntentJSON.request(normalized)
        let digest = Hex.string(SHA256.hash(data: Array(material.utf8)))
        // A bot that filled the honeypot must not claim the fingerprint of the person it imitates.
        return (spam ? "spam:" : "") + digest
    }

    private static func checked(_ value: String, header: String) throws(IntakeError) -> String {
        let trimmed = value.trimmingWhitespace()
        guard (1...maximumLength).contains(trimmed.utf8.count),
            trimmed.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F })
        else {
            throw IntakeError(.malformed, "\(header) must be 1 to \(maximumLength) printable ASCII characters")
        }
        return trimmed
    }
}
