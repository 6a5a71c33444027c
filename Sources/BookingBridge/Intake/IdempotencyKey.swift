import Crypto
import Foundation
import HTTPTypes

/// The key that makes a repeated submission return the first intent instead of creating another one.
///
/// In order: the `Idempotency-Key` header, else the `webhook-id` header, else (public forms only) a fingerprint of
/// source, e-mail, meeting link and start time within 10 minutes, which catches double clicks and reloads. Token
/// sources that send neither header get a fresh key: each post is a new intent. The kinds are prefixed so that one
/// kind's value can never collide with another's.
enum IdempotencyKey {
    static let maximumLength = 255
    /// Start times within one bucket count as the same booking for the fingerprint.
    static let fingerprintBucket: Int64 = 10 * 60 * 1000

    /// The key a client sent, if any; a malformed one is refused (400) rather than silently ignored.
    static func offered(_ headers: HTTPFields) throws(IntakeError) -> String? {
        if let key = headers[.idempotencyKey] {
            return "key:" + (try checked(key, header: "Idempotency-Key"))
        }
        if let id = headers[.webhookID] {
            return "webhook:" + (try checked(id, header: "webhook-id"))
        }
        return nil
    }

    /// The key for a submission without an offered key.
    static func derived(source: String, isPublic: Bool, request: BookingRequest, spam: Bool) -> String {
        guard isPublic else { return "none:" + UUID.random().uuidString.lowercased() }
        let bucket = Int64((request.startTime.timeIntervalSince1970 * 1000).rounded(.down)) / fingerprintBucket
        let material = [source, request.email.lowercased(), request.slug, String(bucket)].joined(separator: "\n")
        let digest = SHA256.hash(data: Array(material.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
        // A bot that filled the honeypot must not claim the fingerprint of the person it imitates.
        return (spam ? "spam-fp:" : "fp:") + digest
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

/// Content negotiation for the success answer.
enum AcceptPreference {
    /// Whether `Accept` ranks `text/html` above `application/json`, as a browser's form navigation does.
    static func prefersHTML(_ accept: String?) -> Bool {
        guard let accept else { return false }
        let ranges = accept.split(separator: ",").compactMap { part -> (type: String, subtype: String, q: Double)? in
            guard let header = HeaderValue(parsing: part) else { return nil }
            let pieces = header.value.split(separator: "/", maxSplits: 1)
            guard pieces.count == 2 else { return nil }
            let q = header.parameters["q"].flatMap(Double.init) ?? 1
            return (String(pieces[0]), String(pieces[1]), min(max(q, 0), 1))
        }
        func quality(_ type: String, _ subtype: String) -> Double {
            if let exact = ranges.first(where: { $0.type == type && $0.subtype == subtype }) { return exact.q }
            if let partial = ranges.first(where: { $0.type == type && $0.subtype == "*" }) { return partial.q }
            return ranges.first(where: { $0.type == "*" && $0.subtype == "*" })?.q ?? 0
        }
        let html = quality("text", "html")
        return html > 0 && html > quality("application", "json")
    }
}
