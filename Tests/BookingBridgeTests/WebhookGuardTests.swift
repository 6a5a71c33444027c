import BookingBridge
import Testing

/// The pure parts of the destination guard: address and CIDR parsing, classification, allow-list, URL rules.
@Suite("Webhook destination guard")
struct WebhookGuardTests {
    @Test("IPv4 and IPv6 literals parse strictly and print canonically")
    func parsing() throws {
        #expect(IPAddress("10.0.0.1")?.bytes == [10, 0, 0, 1])
        #expect(IPAddress("::1")?.description == "::1")
        #expect(IPAddress("[::ffff:127.0.0.1]")?.description == "::ffff:7f00:1")
        #expect(IPAddress("2001:db8:0:0:1:0:0:1")?.description == "2001:db8::1:0:0:1")
        #expect(IPAddress("fe80::1%eth0")?.description == "fe80::1")
        #expect(IPAddress("::")?.description == "::")
        for bad in [
            "0x7f.0.0.1", "2130706433", "127.1", "010.0.0.1", "256.0.0.1", "1.2.3", "1:::2", "12345::", "localhost", "",
        ] {
            #expect(IPAddress(bad) == nil, "\(bad) should not parse as an address literal")
        }
    }

    @Test("CIDR blocks parse, clear host bits, and contain what they should")
    func cidr() throws {
        let loopback = try CIDR("127.0.0.0/8")
        #expect(loopback.contains(IPAddress("127.255.0.1")!))
        #expect(!loopback.contains(IPAddress("128.0.0.1")!))
        #expect(loopback.contains(IPAddress("::ffff:127.0.0.1")!), "an IPv4 block holds the mapped IPv6 form")
        #expect(try CIDR("10.1.2.3/8").description == "10.0.0.0/8")
        #expect(try CIDR("::1").prefixLength == 128)
        #expect(try CIDR("192.168.1.7").contains(IPAddress("192.168.1.7")!))
        #expect(try CIDR("0.0.0.0/0").contains(IPAddress("8.8.8.8")!))
        #expect(try CIDR("fd00::/8").contains(IPAddress("fd12::1")!))
        for bad in ["10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "banana", "10.0.0.0/8/8"] {
            #expect(throws: CIDR.InvalidCIDR.self) { try CIDR(bad) }
        }
    }

    @Test("addresses are classified, including IPv6 forms that carry IPv4")
    func classification() {
        let cases: [(String, AddressClassifier.Kind?)] = [
            ("127.0.0.1", .loopback), ("::1", .loopback), ("10.9.8.7", .private), ("172.16.0.1", .private),
            ("172.31.255.255", .private), ("172.32.0.1", nil), ("192.168.0.1", .private), ("169.254.1.1", .linkLocal),
            ("169.254.169.254", .cloudMetadata), ("fd00:ec2::254", .cloudMetadata), ("100.64.0.1", .sharedAddressSpace),
            ("100.128.0.1", nil), ("0.0.0.0", .unspecified), ("::", .unspecified), ("224.0.0.1", .multicast),
            ("ff02::1", .multicast), ("fe80::1", .linkLocal), ("fc00::1", .private), ("fd12:3456::1", .private),
            ("255.255.255.255", .reserved), ("192.0.2.1", .reserved), ("2001:db8::1", .reserved),
            ("::ffff:127.0.0.1", .loopback), ("::ffff:169.254.169.254", .cloudMetadata), ("::ffff:10.0.0.1", .private),
            ("::127.0.0.1", .loopback), ("64:ff9b::a00:1", .private), ("2002:a9fe:a9fe::1", .cloudMetadata),
            ("8.8.8.8", nil), ("1.1.1.1", nil), ("2606:4700:4700::1111", nil), ("::ffff:8.8.8.8", nil),
        ]
        for (text, kind) in cases {
            #expect(AddressClassifier.classify(IPAddress(text)!) == kind, "\(text)")
        }
    }

    @Test("local-use NAT64 is refused, SIIT-translated and IPv4-mapped addresses are judged by their IPv4 address")
    func translatedForms() throws {
        let cases: [(String, AddressClassifier.Kind?)] = [
            // RFC 8215 local-use NAT64, 64:ff9b:1::/48: refused whatever it seems to embed.
            ("64:ff9b:1::a00:1", .private), ("64:ff9b:1::808:808", .private), ("64:ff9b:1:ffff::1", .private),
            ("64:ff9b:1:0:0:0:a9fe:a9fe", .private),
            // The well-known NAT64 prefix stays judged by the IPv4 address in its last 32 bits.
            ("64:ff9b::808:808", nil), ("64:ff9b::7f00:1", .loopback),
            // SIIT IPv4-translated, ::ffff:0:0:0/96.
            ("::ffff:0:127.0.0.1", .loopback), ("::ffff:0:7f00:1", .loopback), ("::ffff:0:10.1.2.3", .private),
            ("::ffff:0:169.254.169.254", .cloudMetadata), ("::ffff:0:100.64.0.1", .sharedAddressSpace),
            ("::ffff:0:0.0.0.0", .unspecified), ("::ffff:0:8.8.8.8", nil),
            // IPv4-mapped, ::ffff:0:0/96, in dotted and hex spelling.
            ("::ffff:192.168.1.1", .private), ("::ffff:c0a8:101", .private), ("0:0:0:0:0:ffff:7f00:1", .loopback),
            ("::ffff:100.64.0.1", .sharedAddressSpace), ("::ffff:a9fe:a9fe", .cloudMetadata), ("::ffff:1.1.1.1", nil),
        ]
        for (text, kind) in cases {
            let address = try #require(IPAddress(text), "\(text) parses")
            #expect(AddressClassifier.classify(address) == kind, "\(text)")
        }
        #expect(IPAddress("::ffff:0:127.0.0.1")?.embeddedIPv4 == IPAddress("127.0.0.1"))
        let strict = DestinationGuard()
        for refused in ["64:ff9b:1::808:808", "::ffff:0:127.0.0.1", "::ffff:0:a9fe:a9fe", "::ffff:10.0.0.1"] {
            #expect(strict.refusal(for: IPAddress(refused)!) != nil, "\(refused) is refused")
        }
        // An allowed IPv4 block admits the translated forms of its addresses, like it admits the mapped ones.
        let loopbackAllowed = try DestinationGuard(allowDestinations: ["127.0.0.0/8"])
        #expect(loopbackAllowed.refusal(for: IPAddress("::ffff:0:127.0.0.1")!) == nil)
        #expect(loopbackAllowed.refusal(for: IPAddress("::ffff:0:10.0.0.1")!) != nil)
    }

    @Test("the guard refuses non-public addresses unless the allow-list admits them, and http only when allowed")
    func guardDecisions() throws {
        let strict = DestinationGuard()
        #expect(strict.refusal(for: IPAddress("127.0.0.1")!)?.description.contains("loopback") == true)
        #expect(strict.refusal(for: IPAddress("93.184.216.34")!) == nil)
        #expect(strict.refusal(for: [IPAddress("93.184.216.34")!, IPAddress("10.0.0.1")!], scheme: "https") != nil)
        #expect(strict.refusal(for: [IPAddress("93.184.216.34")!], scheme: "http") != nil, "http needs the allow-list")
        #expect(strict.refusal(for: [], scheme: "https") != nil)
        let loopback = try DestinationGuard(allowDestinations: ["127.0.0.0/8", "::1/128"])
        #expect(loopback.refusal(for: [IPAddress("127.0.0.1")!], scheme: "http") == nil)
        #expect(loopback.refusal(for: [IPAddress("::ffff:127.0.0.1")!], scheme: "http") == nil)
        #expect(loopback.refusal(for: [IPAddress("::1")!], scheme: "https") == nil)
        #expect(loopback.refusal(for: [IPAddress("169.254.169.254")!], scheme: "https") != nil)
        #expect(throws: CIDR.InvalidCIDR.self) { try DestinationGuard(allowDestinations: ["localhost"]) }
    }

    @Test("webhook URLs are parsed and pinned to the checked address")
    func urls() throws {
        let url = try WebhookURL.parse("http://Receiver.test:8080/hook?x=1").get()
        #expect(url.host == "receiver.test")
        #expect(url.port == 8080)
        #expect(url.target == "/hook?x=1")
        #expect(url.pinned(to: IPAddress("127.0.0.1")!) == "http://127.0.0.1:8080/hook?x=1")
        #expect(url.hostHeader == "receiver.test:8080")
        let v6 = try WebhookURL.parse("https://[::1]/").get()
        #expect(v6.host == "::1")
        #expect(v6.literalAddress == IPAddress("::1"))
        #expect(v6.pinned(to: IPAddress("::1")!) == "https://[::1]:443/")
        #expect(try WebhookURL.parse("https://x.test/a%00b").get().target == "/a%00b")
        for bad in [
            "ftp://x.test/", "https://user:pw@x.test/", "https://x.test/#frag", "/relative", "https://",
            "https://x.test/a\u{0}b", "https://x.test\u{0}/", "https://x.test/?q=\u{7F}", "https://x.test/a\nb",
        ] {
            #expect((try? WebhookURL.parse(bad).get()) == nil, "\(bad)")
        }
    }

    @Test("the system resolver answers literals directly and resolves names")
    func resolver() async throws {
        #expect(try await SystemHostResolver().resolve(host: "10.0.0.1", port: 80) == [IPAddress("10.0.0.1")!])
        let localhost = try await SystemHostResolver().resolve(host: "localhost", port: 80)
        #expect(localhost.allSatisfy { AddressClassifier.classify($0) == .loopback })
        let table = StaticHostResolver(["a.test": [IPAddress("10.0.0.2")!]], fallback: nil)
        #expect(try await table.resolve(host: "A.test", port: 1) == [IPAddress("10.0.0.2")!])
        await #expect(throws: (any Error).self) { try await table.resolve(host: "b.test", port: 1) }
    }
}
