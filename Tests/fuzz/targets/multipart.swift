// fuzz-sources: Intake/FormBody.swift Intake/FormBody+URLEncoded.swift Intake/FormBody+Multipart.swift
// fuzz-sources: Intake/FormBody+JSON.swift Intake/HeaderValue.swift Intake/IntakeError.swift
// fuzz-sources: Support/ProblemFieldError.swift Support/StringProtocol+Whitespace.swift
// fuzz-sources: Intake/JSONValue.swift
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
        // What was read, sent again as a browser sends it, reads back the same (names a browser would send as they
        // are; repeated names are joined already).
        let boundary = "----FuzzFormBoundaryq7Jv3ZxW"
        let special = Set("\"\\\r\n".unicodeScalars)
        let plain = form.fields.keys.allSatisfy { !$0.unicodeScalars.contains(where: special.contains) }
        let delimiter = Array(boundary.utf8)
        let clashes = form.fields.contains {
            MultipartForm.search(delimiter, in: Array($0.key.utf8), from: 0) != nil
                || MultipartForm.search(delimiter, in: Array($0.value.utf8), from: 0) != nil
        }
        if plain, !clashes {
            var again: [UInt8] = []
            for (name, value) in form.fields.sorted(by: { $0.key < $1.key }) {
                again += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n".utf8)
                again += Array(value.utf8) + Array("\r\n".utf8)
            }
            again += Array("--\(boundary)--\r\n".utf8)
            let reread = try? FormBody.decode(contentType: "multipart/form-data; boundary=\(boundary)", body: again)
            FuzzInput.require(
                reread?.fields == form.fields, "\(form.fields) read back as \(String(describing: reread?.fields))")
        }
    }
    return 0
}
