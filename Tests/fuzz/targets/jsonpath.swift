// fuzz-sources: Intake/SenderPayload.swift Intake/SenderPayload+Typeform.swift Intake/SenderPayload+Tally.swift
// fuzz-sources: Intake/SenderPayload+Webflow.swift Intake/SenderPayload+Jotform.swift Intake/SenderPayload+HubSpot.swift
// fuzz-sources: Intake/SenderPayload+JSON.swift Intake/FormBody.swift Intake/FormBody+URLEncoded.swift
// fuzz-sources: Intake/FormBody+Multipart.swift Intake/FormBody+JSON.swift Intake/HeaderValue.swift Intake/IntakeError.swift
// fuzz-sources: Config/SourceConfiguration.swift Config/ConfigurationError.swift Webhooks/StandardWebhooks.swift
// fuzz-sources: Support/ConstantTime.swift Support/ProblemFieldError.swift HTTP/HTTPField+Names.swift
// fuzz-sources: Support/StringProtocol+Whitespace.swift Support/Redaction.swift Intake/JSONPath.swift
// fuzz-sources: Intake/JSONValue+Access.swift
// fuzz-sources: Config/BookingPageSettings.swift
// fuzz-sources: Intake/JSONValue.swift
// fuzz-modules: HTTPTypes Crypto
// fuzz-options: -max_len=65536

import Foundation

/// The `json` kind's reader: `JSONPath` parsing and resolving, through `SenderPayload.read`. Line 1 is a
/// path (also used as the idempotency path); the rest is the JSON body.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONPath(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let (lines, body) = FuzzInput.lines(FuzzInput.bytes(data, size), count: 1)
    let path = lines[0].isEmpty ? nil : lines[0]
    let references = [lines[0], "submission.email", "answers[0].value", "questions[name=Email].value"]
    guard
        let payload = try? SenderPayload.read(
            kind: .json, contentType: "application/json", body: body, references: references, idempotencyPath: path,
            header: { _ in nil })
    else { return 0 }
    FuzzInput.require(payload.fields.count <= FormBody.Builder.maximumFields, "\(payload.fields.count) fields")
    if let id = payload.senderID {
        FuzzInput.require(
            (1...300).contains(id.utf8.count) && id.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }),
            "a sender id that is not a usable key: \(id.debugDescription)")
    }
    return 0
}
