// fuzz-sources: Webhooks/StandardWebhooks.swift Intake/SourceAuth.swift Support/ConstantTime.swift
// fuzz-sources: Config/SourceConfiguration.swift Config/ConfigurationError.swift Intake/IntakeError.swift
// fuzz-sources: Support/ProblemFieldError.swift HTTP/HTTPField+Names.swift Support/StringProtocol+Whitespace.swift Support/Redaction.swift
// fuzz-sources: Intake/SenderSignature.swift Intake/JSONPath.swift Intake/JSONValue+Access.swift
// fuzz-sources: Intake/FormBody.swift Intake/FormBody+JSON.swift Intake/FormBody+URLEncoded.swift
// fuzz-sources: Intake/FormBody+Multipart.swift Intake/HeaderValue.swift
// fuzz-sources: Config/BookingPageSettings.swift
// fuzz-sources: Intake/OriginPolicy.swift Intake/JSONValue.swift
// fuzz-modules: HTTPTypes Crypto
// fuzz-options: -max_len=4096

import Foundation
import HTTPTypes

/// The secret of the `hmac` source under test (the Standard Webhooks specification's example).
private let secretText = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
/// The clock: 2026-01-01T00:00:00Z, so that seeds signed for it stay valid.
private let now = Date(timeIntervalSince1970: 1_767_225_600)
private let hmacAuth = SourceAuth(.hmac(secret: secretText))
private let publicAuth = SourceAuth(
    .public(allowedOrigins: ["https://www.example.org", "http://localhost:8080"], honeypotField: "website"))
private let tokenAuth = SourceAuth(.token("s3cret-token"))

/// The Standard Webhooks verifier (`StandardWebhooks.verify`) and `SourceAuth`'s checks as intake runs them: the
/// input's first three lines are `webhook-id`, `webhook-timestamp` and `webhook-signature`, the rest is the body.
/// The same lines also serve as `Origin`, `Referer` and `Authorization` for a public and a token source.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebhooks(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let (lines, body) = FuzzInput.lines(FuzzInput.bytes(data, size), count: 3)
    let (id, timestamp, signature) = (lines[0], lines[1], lines[2])
    let secret = try! StandardWebhooks.Secret(secretText)

    var verified = true
    do {
        try StandardWebhooks.verify(
            id: id, timestamp: timestamp, signatureHeader: signature, body: body, secrets: [secret], now: now)
    } catch {
        verified = false
    }
    if verified {
        let seconds = Int64(timestamp)
        FuzzInput.require(!id.isEmpty, "verified without a webhook-id")
        FuzzInput.require(
            seconds.map { abs(Double($0) - now.timeIntervalSince1970) <= 300 } ?? false,
            "verified with timestamp \(timestamp)")
        FuzzInput.require(
            signature.split(separator: " ").contains { $0.hasPrefix("v1,") }, "verified without a v1 signature")
    }
    // What a sender who knows the secret sends must pass (when the timestamp is in the window).
    if !id.isEmpty, let seconds = Int64(timestamp), abs(Double(seconds) - now.timeIntervalSince1970) <= 300 {
        let header = StandardWebhooks.signature(id: id, timestamp: seconds, body: body, secret: secret)
        do {
            try StandardWebhooks.verify(
                id: id, timestamp: timestamp, signatureHeader: header, body: body, secrets: [secret], now: now)
        } catch {
            FuzzInput.require(false, "a correct signature was refused: \(error)")
        }
    }

    var headers = HTTPFields()
    headers[.webhookID] = id
    headers[.webhookTimestamp] = timestamp
    headers[.webhookSignature] = signature
    _ = try? hmacAuth.checkSignature(headers, body: body, now: now)
    _ = try? publicAuth.checkHeaders([.origin: id])
    _ = try? publicAuth.checkHeaders([.referer: signature])
    _ = try? tokenAuth.checkHeaders([.authorization: signature])
    return 0
}
