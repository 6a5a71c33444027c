// fuzz-sources: Intake/EmailSyntax.swift
// fuzz-options: -max_len=512

/// The e-mail address check (`EmailSyntax`): for an all-ASCII address the byte rules (`isValidASCII`, the fast path)
/// and the Unicode rules (`isValidUnicode`) must agree. The input is the address.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEmail(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let address = String(decoding: FuzzInput.bytes(data, size), as: UTF8.self)
    let valid = EmailSyntax.isValid(address)
    if let ascii = EmailSyntax.isValidASCII(address) {
        let unicode = EmailSyntax.isValidUnicode(address)
        FuzzInput.require(
            ascii == unicode, "\(address.debugDescription): ASCII rules \(ascii), Unicode rules \(unicode)")
    }
    if valid {
        FuzzInput.require(address.utf8.count <= EmailSyntax.maximumLength, "\(address.utf8.count) bytes")
        FuzzInput.require(address.contains("@"), "no @ in \(address.debugDescription)")
    }
    return 0
}
