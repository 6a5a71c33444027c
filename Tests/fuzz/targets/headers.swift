// fuzz-sources: Intake/IdempotencyKey.swift Intake/HeaderValue.swift Intake/IntakeError.swift Support/Hex.swift Support/UUID+Text.swift
// fuzz-sources: Pipeline/BookingRequest.swift Support/ProblemFieldError.swift HTTP/HTTPField+Names.swift
// fuzz-sources: Support/StringProtocol+Whitespace.swift Support/RandomUUID.swift Store/IntentStore+JSONText.swift Store/IntentRecord.swift
// fuzz-sources: Pipeline/FailureReason.swift Store/IntentStatus.swift Store/NewIntent.swift Store/RawSubmission.swift Intake/AcceptPreference.swift Store/JSONBytes.swift
// fuzz-modules: HTTPTypes Crypto
// fuzz-options: -max_len=1024

import HTTPTypes

/// The request headers intake reads besides the body and auth: the offered idempotency key (`Idempotency-Key`, else
/// `webhook-id`, `IdempotencyKey.offered`) and the content negotiation (`Accept`, `AcceptPreference`). The input's
/// lines are the `Idempotency-Key`, `webhook-id` and `Accept` values; an empty line leaves that header out.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHeaders(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let (lines, _) = FuzzInput.lines(FuzzInput.bytes(data, size), count: 3)
    var headers = HTTPFields()
    if !lines[0].isEmpty { headers[.idempotencyKey] = lines[0] }
    if !lines[1].isEmpty { headers[.webhookID] = lines[1] }
    do {
        if let key = try IdempotencyKey.offered(headers) {
            FuzzInput.require(key.hasPrefix("key:") || key.hasPrefix("webhook:"), "key \(key)")
            FuzzInput.require(key.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }, "key \(key.debugDescription)")
            FuzzInput.require(key.utf8.count <= IdempotencyKey.maximumLength + 8, "a key of \(key.utf8.count) bytes")
        }
    } catch {
        FuzzInput.require(error.status.code == 400, "status \(error.status.code)")
    }
    _ = AcceptPreference.prefersHTML(lines[2].isEmpty ? nil : lines[2])
    return 0
}
