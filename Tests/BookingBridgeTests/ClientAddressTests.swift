import Foundation
import Testing

@testable import BookingBridge

/// Which address counts as the client's, with and without trusted proxies in front.
@Suite("Client address behind proxies")
struct ClientAddressTests {
    static let proxies = [try! CIDR("10.0.0.0/8"), try! CIDR("::1/128")]

    func resolve(
        peer: String?, forwarded: [String] = [], xff: [String] = [], trusted: [CIDR] = Self.proxies
    ) -> String? {
        ClientAddress.resolve(
            peer: peer.flatMap { IPAddress($0) }, forwarded: forwarded, xForwardedFor: xff, trustedProxies: trusted)?
            .description
    }

    @Test("headers from an untrusted peer, or with no proxy trusted, are ignored")
    func untrusted() {
        #expect(resolve(peer: "198.51.100.9", xff: ["203.0.113.7"]) == "198.51.100.9")
        #expect(resolve(peer: "198.51.100.9", forwarded: ["for=203.0.113.7"]) == "198.51.100.9")
        #expect(resolve(peer: "10.0.0.1", xff: ["203.0.113.7"], trusted: []) == "10.0.0.1")
        #expect(resolve(peer: "2001:db8::9", xff: ["203.0.113.7"]) == "2001:db8::9")
        #expect(resolve(peer: nil, xff: ["203.0.113.7"]) == nil)
    }

    @Test("X-Forwarded-For is read from the right, skipping trusted proxies")
    func xForwardedForChains() {
        #expect(resolve(peer: "10.0.0.1", xff: ["203.0.113.7"]) == "203.0.113.7")
        #expect(
            resolve(peer: "10.0.0.1", xff: ["1.1.1.1, 203.0.113.7, 10.0.0.2"]) == "203.0.113.7",
            "what the client itself put on the left is not believed")
        #expect(resolve(peer: "10.0.0.1", xff: ["1.1.1.1", "203.0.113.7"]) == "203.0.113.7", "header lines in order")
        #expect(resolve(peer: "10.0.0.1", xff: ["10.0.0.9, 10.0.0.8"]) == "10.0.0.9", "all trusted: the farthest")
        #expect(resolve(peer: "10.0.0.1", xff: ["203.0.113.7:8080"]) == "203.0.113.7")
        #expect(resolve(peer: "::ffff:10.0.0.1", xff: ["203.0.113.7"]) == "203.0.113.7", "a mapped proxy address")
    }

    @Test("IPv6 clients and proxies")
    func ipv6() {
        #expect(resolve(peer: "::1", xff: ["2001:db8::5"]) == "2001:db8::5")
        #expect(resolve(peer: "::1", xff: ["[2001:db8::5]:4711"]) == "2001:db8::5")
        #expect(resolve(peer: "::1", forwarded: [#"for="[2001:db8:cafe::17]:4711""#]) == "2001:db8:cafe::17")
        #expect(resolve(peer: "::1", xff: ["2001:db8::5, ::1"]) == "2001:db8::5")
    }

    @Test("Forwarded (RFC 7239) wins over X-Forwarded-For and is read from the right")
    func forwarded() {
        let header = #"for=192.0.2.60;proto=http;by=203.0.113.43, For="[2001:db8:cafe::17]:4711""#
        #expect(resolve(peer: "10.0.0.1", forwarded: [header]) == "2001:db8:cafe::17")
        #expect(resolve(peer: "10.0.0.1", forwarded: ["for=192.0.2.60"], xff: ["203.0.113.7"]) == "192.0.2.60")
        #expect(resolve(peer: "10.0.0.1", forwarded: ["for=192.0.2.60, for=10.0.0.4;proto=https"]) == "192.0.2.60")
        #expect(resolve(peer: "10.0.0.1", forwarded: [#"for=192.0.2.60;ext="a,b;c""#]) == "192.0.2.60")
        #expect(resolve(peer: "10.0.0.1", forwarded: ["proto=https;for=192.0.2.61"]) == "192.0.2.61")
    }

    @Test("malformed entries stop the walk at the nearest trusted address; a client cannot choose one")
    func malformed() {
        for xff in ["garbage", "203.0.113.7, unknown", "203.0.113.7,", "0x7f.0.0.1", "203.0.113.7:99x", "[::1", ""] {
            #expect(resolve(peer: "10.0.0.1", xff: [xff]) == "10.0.0.1", "\(xff)")
        }
        #expect(resolve(peer: "10.0.0.1", xff: ["203.0.113.9, garbage, 10.0.0.3"]) == "10.0.0.3")
        for forwarded in ["for=unknown", "for=_hidden", "proto=https", "for=1.2.3.4;for=5.6.7.8", "for=", "for"] {
            #expect(resolve(peer: "10.0.0.1", forwarded: [forwarded]) == "10.0.0.1", "\(forwarded)")
        }
        #expect(resolve(peer: "10.0.0.1", xff: [String(repeating: "10.0.0.7, ", count: 500) + "10.0.0.8"]) != nil)
    }
}

/// The per-client intake limit of a running bridge behind a reverse proxy.
@Suite("Client address end to end", .serialized)
struct ClientAddressEndToEndTests {
    static func post(_ bridge: TestBridge, _ n: Int, forwardedFor: String) async throws -> Int {
        try await bridge.submit(
            "web",
            [
                "email": "proxy\(n)-\(UUID().uuidString.prefix(6))@lovelace.dev", "firstName": "P", "lastName": "X",
                "startTime": Date(timeIntervalSinceNow: 14 * 86_400).iso,
            ], headers: [("X-Forwarded-For", forwardedFor)]
        ).status
    }

    @Test("two clients behind a trusted proxy have a rate-limit bucket each, and are stored with their address")
    func trustedProxy() async throws {
        try await TestBridge.run(configure: {
            $0.intake.rateLimitPerClientPerMinute = 2
            $0.server.trustedProxies = [try! CIDR("127.0.0.0/8"), try! CIDR("::1")]
        }) { bridge in
            let first = try await Self.post(bridge, 1, forwardedFor: "198.51.100.1")
            #expect(first == 202)
            let second = try await Self.post(bridge, 2, forwardedFor: "198.51.100.1")
            #expect(second == 202)
            let third = try await Self.post(bridge, 3, forwardedFor: "198.51.100.1")
            #expect(third == 429)
            let otherClient = try await Self.post(bridge, 4, forwardedFor: "198.51.100.2")
            #expect(otherClient == 202, "another client, own bucket")
            let storedOther = try await bridge.count(
                "SELECT count(*)::int FROM intents WHERE client_ip = '198.51.100.2'")
            #expect(storedOther == 1)
            let storedFirst = try await bridge.count(
                "SELECT count(*)::int FROM intents WHERE client_ip = '198.51.100.1'")
            #expect(storedFirst == 2)
        }
    }

    @Test("an untrusted peer cannot pick its bucket with X-Forwarded-For")
    func untrustedPeer() async throws {
        try await TestBridge.run(configure: {
            $0.intake.rateLimitPerClientPerMinute = 2
            $0.server.trustedProxies = [try! CIDR("10.0.0.0/8")]
        }) { bridge in
            let first = try await Self.post(bridge, 1, forwardedFor: "198.51.100.1")
            #expect(first == 202)
            let second = try await Self.post(bridge, 2, forwardedFor: "198.51.100.2")
            #expect(second == 202)
            let third = try await Self.post(bridge, 3, forwardedFor: "198.51.100.3")
            #expect(third == 429)
            let storedForwarded = try await bridge.count(
                "SELECT count(*)::int FROM intents WHERE client_ip LIKE '198.51.%'")
            #expect(storedForwarded == 0)
        }
    }
}
