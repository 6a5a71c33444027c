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

/// Jotform's reader (`SenderPayload.jotform`: `rawRequest`, `qN_` prefixes, sub-fields, date and time
/// parts), through `SenderPayload.read`: the input is the value of `rawRequest`, posted urlencoded.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJotform(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let raw = String(decoding: FuzzInput.bytes(data, size), as: UTF8.self)
    let encoded = raw.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    let body = Array("submissionID=6098716423715683921&rawRequest=\(encoded)".utf8)
    let references = ["email", "name.first", "meetingTime"]
    let path: String? = nil
    guard
        let payload = try? SenderPayload.read(
            kind: .jotform, contentType: "application/x-www-form-urlencoded", body: body, references: references,
            idempotencyPath: path,
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
