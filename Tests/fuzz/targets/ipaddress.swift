// fuzz-sources: Webhooks/IPAddress.swift Webhooks/AddressClassifier.swift Support/StringProtocol+Whitespace.swift
// fuzz-sources: Webhooks/CIDR.swift
// fuzz-options: -max_len=128

/// The destination guard's address parser (`IPAddress`, `CIDR`) and classifier (`AddressClassifier`): an address
/// prints and reads back as itself, and a non-public IPv4 address stays non-public inside the IPv6 forms that carry
/// it (mapped, NAT64, 6to4), so that no spelling of it slips past the guard. The input is the text.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIPAddress(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: FuzzInput.bytes(data, size), as: UTF8.self)
    if let block = try? CIDR(text) {
        FuzzInput.require(block.contains(block.network), "\(block) does not hold its own network")
        let again = try? CIDR(block.description)
        FuzzInput.require(again == block, "\(block) read back as \(String(describing: again))")
    }
    guard let address = IPAddress(text) else { return 0 }
    FuzzInput.require(IPAddress(address.description) == address, "\(address) does not read back as itself")
    FuzzInput.require(IPAddress("[\(address.description)]") == address || address.isIPv4, "[\(address)]")
    let kind = AddressClassifier.classify(address)
    if address.isIPv4, kind != nil {
        let forms: [[UInt8]] = [
            Array(repeating: 0, count: 10) + [0xFF, 0xFF] + address.bytes,  // ::ffff:a.b.c.d
            [0x00, 0x64, 0xFF, 0x9B] + Array(repeating: 0, count: 8) + address.bytes,  // 64:ff9b::a.b.c.d
            [0x20, 0x02] + address.bytes + Array(repeating: 0, count: 10),  // 2002:aabb:ccdd::
        ]
        for bytes in forms {
            let wrapped = IPAddress(bytes: bytes)!
            FuzzInput.require(
                AddressClassifier.classify(wrapped) != nil, "\(address) (\(kind!)) is public as \(wrapped)")
        }
    }
    return 0
}
