// fuzz-sources: Intake/FormBody.swift Intake/FormBody+URLEncoded.swift Intake/FormBody+Multipart.swift
// fuzz-sources: Intake/FormBody+JSON.swift Intake/HeaderValue.swift Intake/IntakeError.swift
// fuzz-sources: HTTP/Problem+FieldError.swift Support/StringProtocol+Whitespace.swift
// fuzz-modules: HTTPTypes
// fuzz-options: -max_len=65536

/// The multipart reader (`MultipartForm`) and the header parser it uses (`HeaderValue`), through `FormBody.decode`:
/// the input's first line is the Content-Type header (so the boundary is fuzzed too), the rest is the body.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMultipart(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let (lines, body) = FuzzInput.lines(FuzzInput.bytes(data, size), count: 1)
    guard let form = try? FormBody.decode(contentType: lines[0], body: body) else { return 0 }
    FuzzInput.require(form.fields.count <= FormBody.Builder.maximumFields, "\(form.fields.count) fields")
    if form.kind == .multipart {
        FuzzInput.require(!form.fields.keys.contains(""), "an empty field name")
        FuzzInput.require(form.fields["_charset_"] == nil, "the _charset_ field kept")
    }
    return 0
}
