import Crypto
import Foundation

/// The signature schemes of form services, each checked over the exact raw body bytes. Pure: the clock and the
/// full request URI are parameters.
///
/// A scheme with a timestamp (Webflow, HubSpot) refuses one more than `tolerance` seconds from `now`; replays within
/// that window carry the sender's own submission id, which is the intent's idempotency key.
enum SenderSignature: Sendable, Equatable {
    /// `Typeform-Signature: sha256=<base64 HMAC-SHA256(secret, body)>`.
    case typeform
    /// `Tally-Signature: <base64 HMAC-SHA256(secret, body)>`.
    case tally
    /// `x-webflow-timestamp` (ms) and `x-webflow-signature: <hex HMAC-SHA256(secret, "<timestamp>:<body>")>`.
    case webflow
    /// `X-HubSpot-Signature-v3: <base64 HMAC-SHA256(secret, method + URI + body + timestamp)>` with
    /// `X-HubSpot-Request-Timestamp` (ms).
    case hubspot

    static let tolerance: TimeInterval = 300

    /// What the sender's request carried.
    struct Request {
        var method: String
        /// The full URI the sender posted to (scheme, host, path and query).
        var uri: String
        /// Header name (lower case) → value, for the scheme's headers.
        var header: (String) -> String?
        var body: [UInt8]
    }

    /// The header that carries the signature, as the sender names it.
    var signatureHeader: String {
        switch self {
        case .typeform: "Typeform-Signature"
        case .tally: "Tally-Signature"
        case .webflow: "x-webflow-signature"
        case .hubspot: "X-HubSpot-Signature-v3"
        }
    }

    var timestampHeader: String? {
        switch self {
        case .typeform, .tally: nil
        case .webflow: "x-webflow-timestamp"
        case .hubspot: "X-HubSpot-Request-Timestamp"
        }
    }

    /// Checks the request's signature with `secret`; the error says what is wrong, never the expected value.
    func verify(_ request: Request, secret: [UInt8], now: Date) throws(IntakeError) {
        guard let sent = request.header(signatureHeader.lowercased())?.trimmingWhitespace(), !sent.isEmpty else {
            throw IntakeError(.unauthorized, "the \(signatureHeader) header is missing")
        }
        var timestamp = ""
        if let name = timestampHeader {
            guard let text = request.header(name.lowercased())?.trimmingWhitespace(), let millis = Int64(text) else {
                throw IntakeError(.unauthorized, "the \(name) header is missing or not epoch milliseconds")
            }
            guard abs(now.timeIntervalSince1970 - Double(millis) / 1000) <= Self.tolerance else {
                throw IntakeError(
                    .unauthorized, "the \(name) is more than \(Int(Self.tolerance) / 60) minutes from now")
            }
            timestamp = text
        }
        let key = SymmetricKey(data: secret)
        let matches: Bool
        switch self {
        case .typeform:
            guard sent.hasPrefix("sha256=") else {
                throw IntakeError(.unauthorized, "the \(signatureHeader) header must start with sha256=")
            }
            matches = Self.base64Matches(
                String(sent.dropFirst(7)), HMAC<SHA256>.authenticationCode(for: request.body, using: key))
        case .tally:
            matches = Self.base64Matches(sent, HMAC<SHA256>.authenticationCode(for: request.body, using: key))
        case .webflow:
            let material = Array((timestamp + ":").utf8) + request.body
            let expected = Array(HMAC<SHA256>.authenticationCode(for: material, using: key))
            matches = Self.hex(sent.lowercased()).map { ConstantTime.equal($0, expected) } ?? false
        case .hubspot:
            let material =
                Array((request.method.uppercased() + request.uri).utf8) + request.body + Array(timestamp.utf8)
            matches = Self.base64Matches(sent, HMAC<SHA256>.authenticationCode(for: material, using: key))
        }
        guard matches else { throw IntakeError(.unauthorized, "the \(signatureHeader) signature does not match") }
    }

    private static func base64Matches(_ text: String, _ code: HMAC<SHA256>.MAC) -> Bool {
        guard let sent = Data(base64Encoded: text) else { return false }
        return ConstantTime.equal(Array(sent), Array(code))
    }

    private static func hex(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        func value(_ d: UInt8) -> UInt8? {
            switch d {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d - UInt8(ascii: "a") + 10
            default: nil
            }
        }
        var index = 0
        while index < digits.count {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }
}
