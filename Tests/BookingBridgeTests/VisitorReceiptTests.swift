import Foundation
import HubSpotSandbox
import NIOHTTP1
import Testing

@testable import BookingBridge

/// The visitor receipt of a public source's 202 and `GET /v1/intake/{source}/receipts/{receipt}`.
@Suite("Visitor receipts", .serialized)
struct VisitorReceiptTests {
    @Test("a receipt opens only with its own key and untouched")
    func pure() throws {
        let key = Array("k".utf8) + Array(repeating: 7, count: 40)
        let id = UUID()
        let receipt = VisitorReceipt.make(id: id, key: key)
        #expect(receipt.count == 64)
        #expect(VisitorReceipt.open(receipt, key: key) == id)
        #expect(VisitorReceipt.open(receipt.uppercased(), key: key) == id)
        #expect(VisitorReceipt.open(receipt, key: key + [1]) == nil)
        var tampered = Array(receipt)
        tampered[40] = tampered[40] == "0" ? "1" : "0"
        #expect(VisitorReceipt.open(String(tampered), key: key) == nil)
        #expect(VisitorReceipt.open(String(receipt.prefix(32)), key: key) == nil)
        #expect(VisitorReceipt.open("", key: key) == nil)
    }

    @Test("a receipt's bytes: the id's lowercase hex, then the first 16 bytes of its HMAC-SHA256, in hex")
    func knownAnswer() throws {
        let key = Array("k".utf8) + Array(repeating: 7, count: 40)
        let id = try #require(UUID(uuidString: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F"))
        // Computed outside Swift, with Python's standard library:
        //   h = "e621e1f8c36c495a93fc0c247a3e6e5f"
        //   h + hmac.new(b"k" + bytes([7] * 40), h.encode(), hashlib.sha256).hexdigest()[:32]
        let expected = "e621e1f8c36c495a93fc0c247a3e6e5f" + "caf1306aabf92ae72e30b0570bcbe5fc"
        #expect(VisitorReceipt.make(id: id, key: key) == expected)
        #expect(VisitorReceipt.open(expected, key: key) == id)
        #expect(id.lowercasedString == "e621e1f8-c36c-495a-93fc-0c247a3e6e5f")
        for _ in 0..<200 {
            let other = UUID.random()
            #expect(other.lowercasedString == other.uuidString.lowercased())
        }
        #expect(Hex.string([0x00, 0x0f, 0x10, 0xab, 0xff]) == "000f10abff")
    }

    @Test("202 carries a receipt for public sources; it shows the visitor's own status and, booked, the meeting")
    func endToEnd() async throws {
        try await TestBridge.run { bridge in
            let slot = try #require(
                try await bridge.freeSlots(slug: SandboxSeeds.personalLinkSlug, timezone: "Europe/London", minutes: 30)
                    .dropFirst(5).first)
            let answer = try await bridge.submit(
                "web", ["email": "ada@lovelace.dev", "firstName": "Ada", "lastName": "L", "startTime": slot.iso])
            #expect(answer.status == 202)
            let receipt = try #require(answer.json?["receipt"] as? String)
            #expect(receipt.count == 64)
            let id = try #require((answer.json?["id"] as? String).flatMap { UUID(uuidString: $0) })
            #expect(try await bridge.waitForFinal(id).status == .booked)
            let status = try await bridge.request(.GET, "/v1/intake/web/receipts/\(receipt)")
            #expect(status.status == 200)
            #expect(status.json?["status"] as? String == "booked")
            #expect(status.json?["start"] as? String == slot.iso)
            #expect(status.json?["email"] == nil, "never the submission")
            // The same submission again (same key) gets the same receipt.
            let again = try await bridge.submit(
                "web", ["email": "ada@lovelace.dev", "firstName": "Ada", "lastName": "L", "startTime": slot.iso],
                headers: [("Idempotency-Key", "k1")])
            let repeated = try await bridge.submit(
                "web", ["email": "ada@lovelace.dev", "firstName": "Ada", "lastName": "L", "startTime": slot.iso],
                headers: [("Idempotency-Key", "k1")])
            #expect(again.json?["receipt"] as? String == repeated.json?["receipt"] as? String)
            // Wrong, tampered, or of another source: 404 alike.
            var tampered = Array(receipt)
            tampered[50] = tampered[50] == "a" ? "b" : "a"
            #expect(try await bridge.request(.GET, "/v1/intake/web/receipts/\(String(tampered))").status == 404)
            #expect(try await bridge.request(.GET, "/v1/intake/onboarding/receipts/\(receipt)").status == 404)
            #expect(try await bridge.request(.GET, "/v1/intake/web/receipts/\(id.uuidString)").status == 404)
        }
    }

    @Test("a slot not offered: failed, with the next open starts to pick from")
    func failedWithSuggestions() async throws {
        try await TestBridge.run { bridge in
            let slots = try await bridge.freeSlots(
                slug: SandboxSeeds.personalLinkSlug, timezone: "Europe/London", minutes: 30)
            let offered = try #require(slots.dropFirst(3).first)
            let answer = try await bridge.submit(
                "web",
                [
                    "email": "ada@lovelace.dev", "firstName": "Ada", "lastName": "L",
                    "startTime": offered.addingTimeInterval(7 * 60).iso,
                ])
            let receipt = try #require(answer.json?["receipt"] as? String)
            let id = try #require((answer.json?["id"] as? String).flatMap { UUID(uuidString: $0) })
            #expect(try await bridge.waitForFinal(id).status == .failed)
            let status = try await bridge.request(.GET, "/v1/intake/web/receipts/\(receipt)")
            #expect(status.json?["status"] as? String == "failed")
            #expect(status.json?["reason"] as? String == "taken")
            let next = (status.json?["suggestedStartTimes"] as? [String]) ?? []
            #expect(!next.isEmpty)
        }
    }

    @Test("token sources get no receipt")
    func tokenSource() async throws {
        try await TestBridge.run { bridge in
            let slot = try #require(
                try await bridge.freeSlots(
                    slug: SandboxSeeds.roundRobinLinkSlug, timezone: "America/New_York", minutes: 30
                )
                .dropFirst(2).first)
            let answer = try await bridge.submit(
                "rr", ["email": "ada@lovelace.dev", "firstName": "Ada", "lastName": "L", "startTime": slot.iso],
                headers: [("Authorization", "Bearer rr-token")])
            #expect(answer.status == 202)
            #expect(answer.json?["receipt"] == nil)
        }
    }
}
