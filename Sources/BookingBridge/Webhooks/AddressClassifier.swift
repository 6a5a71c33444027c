/// Sorts addresses into the kinds a webhook must not reach unless configuration allows it (SSRF protection).
public enum AddressClassifier {
    /// Why an address is not a public destination.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        case loopback
        case `private`
        case linkLocal = "link-local"
        case multicast
        case unspecified
        /// 100.64.0.0/10, carrier-grade NAT.
        case sharedAddressSpace = "shared address space (CGNAT)"
        /// 169.254.169.254, fd00:ec2::254 and friends: cloud instance metadata services.
        case cloudMetadata = "cloud metadata"
        /// Broadcast, documentation, benchmarking and reserved ranges: never a real subscriber.
        case reserved
    }

    /// The kind of a non-public address, or `nil` for an ordinary public one. IPv6 forms that carry an IPv4 address
    /// (mapped, SIIT-translated, compatible, NAT64, 6to4) are judged by the IPv4 address they carry.
    public static func classify(_ address: IPAddress) -> Kind? {
        if address.isIPv4 { return classifyIPv4(address) }
        if let exact = firstMatch(address, in: ipv6Blocks) { return exact }
        if let embedded = address.embeddedIPv4 { return classifyIPv4(embedded) }
        return nil
    }

    private static func classifyIPv4(_ address: IPAddress) -> Kind? {
        firstMatch(address, in: ipv4Blocks)
    }

    private static func firstMatch(_ address: IPAddress, in blocks: [(CIDR, Kind)]) -> Kind? {
        blocks.first { $0.0.contains(address) }?.1
    }

    private static func block(_ text: String) -> CIDR {
        // The tables below are constants; a typo is a programming error caught by the unit tests.
        try! CIDR(text)
    }

    /// Most specific first: the metadata address sits inside link-local.
    private static let ipv4Blocks: [(CIDR, Kind)] = [
        (block("169.254.169.254/32"), .cloudMetadata),
        (block("169.254.170.2/32"), .cloudMetadata),
        (block("100.100.100.200/32"), .cloudMetadata),
        (block("0.0.0.0/8"), .unspecified),
        (block("10.0.0.0/8"), .private),
        (block("100.64.0.0/10"), .sharedAddressSpace),
        (block("127.0.0.0/8"), .loopback),
        (block("169.254.0.0/16"), .linkLocal),
        (block("172.16.0.0/12"), .private),
        (block("192.0.0.0/24"), .reserved),
        (block("192.0.2.0/24"), .reserved),
        (block("192.88.99.0/24"), .reserved),
        (block("192.168.0.0/16"), .private),
        (block("198.18.0.0/15"), .reserved),
        (block("198.51.100.0/24"), .reserved),
        (block("203.0.113.0/24"), .reserved),
        (block("224.0.0.0/4"), .multicast),
        (block("240.0.0.0/4"), .reserved),
    ]

    private static let ipv6Blocks: [(CIDR, Kind)] = [
        (block("::/128"), .unspecified),
        (block("::1/128"), .loopback),
        (block("fd00:ec2::254/128"), .cloudMetadata),
        (block("fc00::/7"), .private),
        (block("fe80::/10"), .linkLocal),
        // Site-local, deprecated but still routed inside some networks.
        (block("fec0::/10"), .private),
        // RFC 8215 local-use NAT64: the operator's own translator, free to place the IPv4 address anywhere in the
        // suffix and to reach internal IPv4 networks, so the whole block is refused rather than decoded.
        (block("64:ff9b:1::/48"), .private),
        (block("ff00::/8"), .multicast),
        (block("100::/64"), .reserved),
        (block("2001:db8::/32"), .reserved),
        // Teredo and ORCHID-style ranges tunnel or hide the real destination.
        (block("2001::/32"), .reserved),
        (block("2001:10::/28"), .reserved),
        (block("2001:20::/28"), .reserved),
        (block("3fff::/20"), .reserved),
    ]
}
