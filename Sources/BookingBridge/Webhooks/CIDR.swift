/// A block of addresses such as `"127.0.0.0/8"` or `"::1/128"`; a bare address is a block of one.
public struct CIDR: Sendable, Hashable, CustomStringConvertible {
    public let network: IPAddress
    public let prefixLength: Int

    public struct InvalidCIDR: Error, CustomStringConvertible {
        public let text: String
        public var description: String { "\"\(text)\" is not an address block such as 127.0.0.0/8 or ::1/128" }
    }

    public init(_ text: String) throws {
        let parts = text.trimmingWhitespace().split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = parts.first.flatMap({ IPAddress($0) }) else { throw InvalidCIDR(text: text) }
        let bits = address.bytes.count * 8
        var length = bits
        if parts.count == 2 {
            guard parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(parts[1]), (0...bits).contains(n)
            else {
                throw InvalidCIDR(text: text)
            }
            length = n
        }
        self.init(network: address, prefixLength: length)
    }

    init(network: IPAddress, prefixLength: Int) {
        // Host bits are cleared, so "10.1.2.3/8" means 10.0.0.0/8.
        var bytes = network.bytes
        for index in bytes.indices {
            let keep = max(0, min(8, prefixLength - index * 8))
            bytes[index] &= keep == 0 ? 0 : UInt8(truncatingIfNeeded: 0xFF << (8 - keep))
        }
        self.network = IPAddress(bytes: bytes)!
        self.prefixLength = prefixLength
    }

    /// True when `address` is in this block. An IPv4 block also holds the IPv6 forms that carry one of its
    /// addresses (`::ffff:127.0.0.1` is in `127.0.0.0/8`).
    public func contains(_ address: IPAddress) -> Bool {
        if address.bytes.count != network.bytes.count {
            guard network.isIPv4, let embedded = address.embeddedIPv4 else { return false }
            return contains(embedded)
        }
        for index in address.bytes.indices {
            let keep = max(0, min(8, prefixLength - index * 8))
            guard keep > 0 else { break }
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - keep))
            if address.bytes[index] & mask != network.bytes[index] { return false }
        }
        return true
    }

    public var description: String { "\(network)/\(prefixLength)" }
}
