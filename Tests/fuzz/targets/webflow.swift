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

/// Webflow's reader (`SenderPayload.webflow`: `payload.data`), through `SenderPayload.read`: the input is
/// the JSON body.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebflow(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let body = FuzzInput.bytes(data, size)
    let references = ["email", "firstName", "lastName", "startTime", "hidden.utm", "Email"]
    let path: String? = nil
    guard
        let payload = try? SenderPayload.read(
            kind: .webflow, contentType: "application/json", body: body, references: references, idempotencyPath: path,
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
