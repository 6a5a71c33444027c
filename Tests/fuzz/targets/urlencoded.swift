// fuzz-sources: Intake/FormBody.swift Intake/FormBody+URLEncoded.swift Intake/FormBody+Multipart.swift
// fuzz-sources: Intake/FormBody+JSON.swift Intake/HeaderValue.swift Intake/IntakeError.swift
// fuzz-sources: Support/ProblemFieldError.swift Support/StringProtocol+Whitespace.swift
// fuzz-sources: Intake/JSONValue.swift
// fuzz-modules: HTTPTypes
// fuzz-options: -max_len=65536

/// The urlencoded reader (`URLEncodedForm`, through `FormBody.decode` as intake calls it): the input is the body.
/// What it reads must survive being written and read again.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzURLEncoded(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let body = FuzzInput.bytes(data, size)
    guard
        let form = try? FormBody.decode(
            contentType: "application/x-www-form-urlencoded; charset=UTF-8", body: body)
    else { return 0 }
    FuzzInput.require(form.kind == .urlEncoded, "kind \(form.kind)")
    FuzzInput.require(form.fields.count <= FormBody.Builder.maximumFields, "\(form.fields.count) fields")
    FuzzInput.require(!form.fields.keys.contains(""), "an empty field name")
    // What was read, written again as a browser would, reads back the same (repeated names are joined already).
    let again = form.fields.sorted { $0.key < $1.key }.map { escape($0.key) + "=" + escape($0.value) }
    let reread = try? URLEncodedForm.decode(Array(again.joined(separator: "&").utf8))
    FuzzInput.require(reread == form.fields, "\(form.fields) read back as \(String(describing: reread))")
    return 0
}

/// Every byte as `%XX`, spaces as `+`.
private func escape(_ text: String) -> String {
    let hex = Array("0123456789ABCDEF".utf8)
    var out: [UInt8] = []
    for byte in text.utf8 {
        if byte == UInt8(ascii: " ") {
            out.append(UInt8(ascii: "+"))
        } else {
            out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
        }
    }
    return String(decoding: out, as: UTF8.self)
}
