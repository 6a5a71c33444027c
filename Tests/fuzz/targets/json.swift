// fuzz-sources: Intake/FormBody.swift Intake/FormBody+URLEncoded.swift Intake/FormBody+Multipart.swift
// fuzz-sources: Intake/FormBody+JSON.swift Intake/HeaderValue.swift Intake/IntakeError.swift
// fuzz-sources: Support/ProblemFieldError.swift Support/StringProtocol+Whitespace.swift
// fuzz-sources: Intake/JSONValue.swift
// fuzz-modules: HTTPTypes
// fuzz-options: -max_len=65536

import Foundation

/// The JSON reader (`JSONForm`, `JSONValue.fieldText`), through `FormBody.decode`: the input is the body.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let body = FuzzInput.bytes(data, size)
    guard let form = try? FormBody.decode(contentType: "application/json", body: body) else { return 0 }
    FuzzInput.require(JSONForm.nestingDepth(body) <= JSONForm.maximumDepth, "decoded a body nested too deep")
    FuzzInput.require(form.fields.count <= FormBody.Builder.maximumFields, "\(form.fields.count) fields")
    return 0
}
