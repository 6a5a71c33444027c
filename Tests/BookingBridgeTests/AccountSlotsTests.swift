import AsyncHTTPClient
import BookingBridge
import Foundation
import HubSpotSandbox
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Testing

/// Open slots and the booking page of a source that names a HubSpot account (`"hubspot": "<name>"`) come from
/// that account, and the availability cache keeps two accounts' links with the same slug apart.
@Suite("Slots per HubSpot account", .serialized)
struct AccountSlotsTests {
    /// Books `start` for 30 minutes on the personal link directly in `sandbox`, as someone outside the bridge would.
    static func bookDirectly(_ sandbox: HubSpotSandbox, token: String, start: Date, http: HTTPClient) async throws {
        var request = HTTPClientRequest(url: "\(await sandbox.baseURL)/scheduler/2026-03/meetings/meeting-links/book")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        let body: [String: Any] = [
            "slug": SandboxSeeds.personalLinkSlug, "startTime": start.iso, "duration": 1_800_000,
            "email": "outside@lovelace.dev", "firstName": "Out", "lastName": "Side", "timezone": "Europe/London",
        ]
        request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: body)))
        let response = try await http.execute(request, timeout: .seconds(10))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        try #require(response.status.code == 200, "direct booking in the sandbox: \(text)")
    }

    static func day(_ date: Date, zone: String) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone)!
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    @Test("two accounts on two sandboxes, one slug: each source's slots and page come from its own account")
    func slotsComeFromTheSourcesAccount() async throws {
        try await TestBridge.withSecondSandbox(token: "second-account-token") { second, secondURL in
            try await TestBridge.run(configure: { c in
                c.availability.rateLimitPerClientPerMinute = 100_000
                let page = BookingPageSettings(enabled: true, title: "Intro")
                c.sources["web"]?.page = page
                c.addAccount(
                    "second", baseURL: secondURL, token: "second-account-token", source: "web2", rateLimitPer10s: 40,
                    page: page)
            }) { bridge in
                // A slot a day or more ahead, taken in the second account's sandbox only.
                let offered = try await bridge.freeSlots(
                    slug: SandboxSeeds.personalLinkSlug, timezone: "Europe/London", minutes: 30)
                let taken = try #require(offered.first { $0 > Date().addingTimeInterval(86_400 * 1.5) })
                try await Self.bookDirectly(second, token: "second-account-token", start: taken, http: bridge.http)
                let query = "?from=\(Self.day(taken, zone: "Europe/London"))&days=1&timezone=Europe/London"
                let firstBefore = await bridge.sandbox.requestStats()
                let secondBefore = await second.requestStats()

                // The default account's source first, so its page of the slug is cached when the second reads.
                let main = try await SlotsAPITests.slots(bridge, query, source: "web")
                #expect(main.status == 200)
                #expect(main.starts.contains(taken), "the default account's link still offers the slot")
                let other = try await SlotsAPITests.slots(bridge, query, source: "web2")
                #expect(other.status == 200)
                #expect(!other.starts.isEmpty)
                #expect(!other.starts.contains(taken), "the second account's link has it booked")
                #expect(Set(other.starts).isSubset(of: Set(main.starts)))

                // Each page shows its own account's slots without JavaScript, and its link's info from there.
                let mainPage = try await bridge.request(.GET, "/book/web")
                let otherPage = try await bridge.request(.GET, "/book/web2")
                #expect(mainPage.status == 200 && otherPage.status == 200)
                let value = "value=\"\(HubSpotTimestamp.iso8601(millis: HubSpotTimestamp.millis(taken)))\""
                if Date().addingTimeInterval(86_400 * 7) > taken {
                    #expect(String(decoding: mainPage.body, as: UTF8.self).contains(value))
                }
                #expect(!String(decoding: otherPage.body, as: UTF8.self).contains(value))

                let firstAfter = await bridge.sandbox.requestStats()
                let secondAfter = await second.requestStats()
                // Each account's sandbox saw its own source's reads: availability, and the page's booking info.
                #expect(firstAfter.availabilityReads > firstBefore.availabilityReads)
                #expect(secondAfter.availabilityReads > secondBefore.availabilityReads)
                #expect(firstAfter.bookingInfoReads == firstBefore.bookingInfoReads + 1)
                #expect(secondAfter.bookingInfoReads == secondBefore.bookingInfoReads + 1)
            }
        }
    }
}
