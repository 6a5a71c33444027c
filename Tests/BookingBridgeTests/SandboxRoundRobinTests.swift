import Foundation
import HubSpotSandbox
import NIOHTTP1
import Testing

/// Round-robin assignment on `sales/discovery` and HubSpot's offline trap.
@Suite("Sandbox round robin")
struct SandboxRoundRobinTests {
    static let book = TestSandbox.scheduler + "/book"
    static let slug = SandboxSeeds.roundRobinLinkSlug
    static let duration: Int64 = 1_800_000

    /// A start when the whole pool is free (not overlapping the Wednesday team sync).
    static func openStart(_ harness: TestSandbox) async throws -> Int64 {
        let starts = try await harness.offeredStarts(slug: Self.slug, duration: Self.duration)
        return try #require(starts.first { !Self.isWednesdaySync($0) })
    }

    /// Whether a 30-minute meeting at `start` falls in the Wednesday 12:00-13:00 New York team sync.
    static func isWednesdaySync(_ start: Int64) -> Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "America/New_York")!
        let parts = calendar.dateComponents([.weekday, .hour], from: Date(timeIntervalSince1970: Double(start) / 1000))
        return parts.weekday == 4 && parts.hour == 12
    }

    @Test func oneSlotGoesToJaneThenSamThenTheOfflineRepThenIsTaken() async throws {
        try await TestSandbox.with { harness in
            let start = try await Self.openStart(harness)
            var assignees: [String] = []
            for index in 0..<3 {
                let reply = try await harness.call(
                    .POST, Self.book,
                    json: TestSandbox.bookBody(
                        slug: Self.slug, start: start, duration: Self.duration, ["email": "lead\(index)@buyer.dev"]))
                #expect(reply.status == 200, "\(reply.text)")
                let json = try reply.object()
                let offline = index == 2
                #expect(json["isOffline"] as? Bool == offline)
                #expect((json["calendarEventId"] as? String)?.isEmpty == offline)
                #expect(json["subject"] as? String == "Discovery call")
                assignees.append(await harness.sandbox.bookings().last?.assignedUserId ?? "")
            }
            #expect(assignees == [SandboxSeeds.janeUserId, SandboxSeeds.samUserId, SandboxSeeds.offlineUserId])
            let booking = try #require(await harness.sandbox.bookings().last)
            #expect(booking.isOffline && booking.calendarEventId.isEmpty)

            let fourth = try await harness.call(
                .POST, Self.book, json: TestSandbox.bookBody(slug: Self.slug, start: start, duration: Self.duration))
            #expect(fourth.subCategory == "MeetingsBookingSchedulingError.MEETING_TIME_NOT_AVAILABLE")
            #expect(!(try await harness.offeredStarts(slug: Self.slug, duration: Self.duration)).contains(start))
        }
    }

    @Test func likelyAvailableUserIdsChooseTheRep() async throws {
        try await TestSandbox.with { harness in
            let start = try await Self.openStart(harness)
            let offline = try await harness.call(
                .POST, Self.book,
                json: TestSandbox.bookBody(
                    slug: Self.slug, start: start, duration: Self.duration,
                    ["likelyAvailableUserIds": [SandboxSeeds.offlineUserId]]))
            #expect(try offline.object()["isOffline"] as? Bool == true)
            #expect(try offline.object()["calendarEventId"] as? String == "")
            let sam = try await harness.call(
                .POST, Self.book,
                json: TestSandbox.bookBody(
                    slug: Self.slug, start: start, duration: Self.duration,
                    ["likelyAvailableUserIds": [Int(SandboxSeeds.samUserId)!]]))
            #expect(sam.status == 200, "\(sam.text)")
            #expect(
                await harness.sandbox.bookings().map(\.assignedUserId) == [
                    SandboxSeeds.offlineUserId, SandboxSeeds.samUserId,
                ])
        }
    }

    @Test func wednesdayTeamSyncLeavesOnlyTheOfflineRep() async throws {
        try await TestSandbox.with { harness in
            let starts = try await harness.offeredStarts(slug: Self.slug, duration: Self.duration)
            let start = try #require(starts.first(where: Self.isWednesdaySync(_:)), "no Wednesday noon slot advertised")
            let reply = try await harness.call(
                .POST, Self.book, json: TestSandbox.bookBody(slug: Self.slug, start: start, duration: Self.duration))
            #expect(reply.status == 200, "\(reply.text)")
            #expect(try reply.object()["isOffline"] as? Bool == true)
            #expect(await harness.sandbox.bookings().first?.assignedUserId == SandboxSeeds.offlineUserId)
        }
    }
}
