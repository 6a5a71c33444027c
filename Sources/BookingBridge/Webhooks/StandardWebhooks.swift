import Crypto
import Foundation

/// Signing and verification as the Standard Webhooks specification defines them.
///
/// A signature is `v1,` followed by the base64 HMAC-SHA256 of `"{webhook-id}.{webhook-timestamp}.{body}"`, keyed
/// with the secret's bytes (the base64 part of `whsec_...`). Several signatures are separated by spaces.
public enum StandardWebhooks {
    public struct InvalidSecret: Error, CustomStringConvertible {
        public let description = "a webhook secret must be \"whsec_\" followed by base64"
    }

    /// A secret in `whsec_<base64>` form.
    public struct Secret: Sendable, Equatable {
        public let key: [UInt8]

        public init(_ text: String) throws {
            let base64 = text.hasPrefix("whsec_") ? String(text.dropFirst(6)) : text
            guard let data = Data(base64Encoded: base64), data.count >= 16 else { throw InvalidSecret() }
            key = Array(data)
        }

        public init(key: [UInt8]) { self.key = key }

        /// A new secret of 32 random bytes.
        public static func generate() -> Secret {
            var generator = SystemRandomNumberGenerator()
            return Secret(key: (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        }

        public var text: String { "whsec_" + Data(key).base64EncodedString() }
    }

    /// The `webhook-signature` value for one secret: `v1,<base64>`.
    public static func signature(id: String, timestamp: Int64, body: some DataProtocol, secret: Secret) -> String {
        var hmac = HMAC<SHA256>(key: SymmetricKey(data: secret.key))
        hmac.update(data: Array("\(id).\(timestamp).".utf8))
        hmac.update(data: body)
        return "v1," + Data(hmac.finalize()).base64EncodedString()
    }

    /// The `webhook-signature` header for several secrets (e.g. during a rotation), space-separated.
    public static func signatureHeader(
        id: String, timestamp: Int64, body: some DataProtocol, secrets: [Secret]
    ) -> String {
        secrets.map { signature(id: id, timestamp: timestamp, body: body, secret: $0) }.joined(separator: " ")
    }

    public enum VerificationFailure: Error, Equatable, CustomStringConvertible {
        case missingHeaders
        case invalidTimestamp
        case timestampOutsideTolerance
        case noMatchingSignature

        public var description: String {
            switch self {
            case .missingHeaders: "webhook-id, webhook-timestamp and webhook-signature headers are required"
            case .invalidTimestamp: "webhook-timestamp must be Unix seconds"
            case .timestampOutsideTolerance: "webhook-timestamp is too old or too far in the future"
            case .noMatchingSignature: "no webhook-signature matches the body"
            }
        }
    }

    /// Checks a received message: the timestamp is within `tolerance` of `now` and one of the space-separated
    /// `v1,` signatures matches one of `secrets` (compared in constant time).
    public static func verify(
        id: String?, timestamp: String?, signatureHeader: String?, body: some DataProtocol, secrets: [Secret],
        now: Date = Date(), tolerance: TimeInterval = 300
    ) throws(VerificationFailure) {
        guard let id, let timestamp, let signatureHeader, !id.isEmpty else { throw .missingHeaders }
        guard let seconds = Int64(timestamp) else { throw .invalidTimestamp }
        guard abs(now.timeIntervalSince1970 - Double(seconds)) <= tolerance else { throw .timestampOutsideTolerance }
        let offered = signatureHeader.split(separator: " ").compactMap { part -> Data? in
            guard part.hasPrefix("v1,") else { return nil }
            return Data(base64Encoded: String(part.dropFirst(3)))
        }
        for secret in secrets {
            let expected = signature(id: id, timestamp: seconds, body: body, secret: secret)
            guard let expectedBytes = Data(base64Encoded: String(expected.dropFirst(3))) else { continue }
            for candidate in offered where ConstantTime.equal(candidate, expectedBytes) { return }
        }
        throw .noMatchingSignature
    }

}

/// A signing key never shows in a description (see `Redaction`).
extension StandardWebhooks.Secret: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var customMirror: Mirror { Mirror(self, children: ["key": Redaction.masked], displayStyle: .struct) }
    public var description: String { "Secret(\(Redaction.masked))" }
    public var debugDescription: String { description }
}
