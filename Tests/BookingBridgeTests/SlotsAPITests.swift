import AsyncHTTPClient
import Foundation
import HubSpotSandbox
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import ServiceLifecycle
import Testing

@testable import BookingBridge

/// `GET /v1/sources/{source}/slots` end to end: the sandbox's availability through the shared cache.
@Suite("Open slots", .serialized)
struct SlotsAPITests {
    static func configure(_ c: inout BridgeConfiguration) {
        c.availability.rateLimitPerClientPerMinute = 100_000
        c.sources["site"] = SourceConfiguration(
            auth: .public(allowedOrigins: ["https://shop.example"], honeypotField: nil),
            slug: SandboxSeeds.personalLinkSlug, durationMinutes: 30, timezone: "Europe/London")
    }

    struct Slots: Sendable {
        var status: Int
        var starts: [Date]
        var stale: Bool?
        var body: Data
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    }

    static func id(_ answer: TestBridge.Answer) throws -> UUID {
        let text = try #require(answer.json?["id"] as? String)
        return try #require(UUID(uuidString: text))
    }

    static func slots(
        _ bridge: TestBridge, _ query: String, source: String = "web", base: String? = nil
    ) async throws
        -> Slots
    {
        var request = HTTPClientRequest(url: (base ?? bridge.baseURL) + "/v1/sources/\(source)/slots" + query)
        request.method = .GET
        let response = try await bridge.http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 8 << 20)
        let json = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
        let starts = ((json["slots"] as? [[String: Any]]) ?? []).compactMap { slot in
            (slot["start"] as? String).flatMap { HubSpotTimestamp.millis(iso8601: $0) }.map(HubSpotTimestamp.date)
        }
        return Slots(
            status: Int(response.status.code), starts: starts, stale: json["stale"] as? Bool, body: Data(buffer: body))
    }

    static func today(_ zone: String) -> String {
        let c = SlotWindow.today(in: TimeZone(identifier: zone)!)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    @Test("the answer is the sandbox's availability for the same days and time zone")
    func matchesSandbox() async throws {
        try await TestBridge.run(configure: Self.configure) { bridge in
            for zone in ["America/New_York", "Asia/Tokyo"] {
                let from = Self.today(zone)
                let answer = try await Self.slots(bridge, "?from=\(from)&days=10&timezone=\(zone)")
                #expect(answer.status == 200, "\(answer.json)")
                #expect(answer.json["timezone"] as? String == zone)
                #expect(answer.json["durationMinutes"] as? Int == 30)
                #expect(answer.stale == false)
                var calendar = Calendar(identifier: .gregorian)
                calendar.timeZone = TimeZone(identifier: zone)!
                let start = calendar.startOfDay(for: Date())
                let end = calendar.date(byAdding: .day, value: 10, to: start)!
                let expected = try await bridge.freeSlots(
                    slug: SandboxSeeds.personalLinkSlug, timezone: zone, minutes: 30
                ).filter { $0 >= start && $0 < end }
                #expect(!expected.isEmpty)
                #expect(answer.starts == expected)
            }
            let sixty = try await Self.slots(bridge, "?days=3&durationMinutes=60")
            #expect(sixty.status == 200)
            #expect(sixty.json["durationMinutes"] as? Int == 60)
        }
    }

    @Test("a booked slot disappears at once, also from a second bridge process on the same database")
    func bookedSlotDisappears() async throws {
        try await TestBridge.run(configure: Self.configure) { first in
            var configuration = TestBridge.configuration(
                databaseURL: first.databaseURL, sandboxURL: await first.sandbox.baseURL)
            configuration.hubspot.account = first.bridge.configuration.hubspot.account
            Self.configure(&configuration)
            let second = BridgeApplication(
                configuration: configuration, database: first.database, httpClient: first.http,
                logger: TestBridge.logger)
            let group = ServiceGroup(
                configuration: .init(services: second.services().map { .init(service: $0) }, logger: TestBridge.logger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                defer { Task { await group.triggerGracefulShutdown() } }
                let secondBase = "http://127.0.0.1:\(try await second.boundPort.wait())"
                let before = try await Self.slots(first, "?days=14")
                let beforeSecond = try await Self.slots(first, "?days=14", base: secondBase)
                // A start with open neighbours 15 minutes either side (the first starts of a day, or the last,
                // have only one), so the overlap below is the same whatever the time of day the test runs at.
                let offered = Set(before.starts)
                let slot = try #require(
                    before.starts.dropFirst(4).first {
                        offered.contains($0.addingTimeInterval(-900)) && offered.contains($0.addingTimeInterval(900))
                    })
                #expect(beforeSecond.starts.contains(slot))
                let answer = try await first.submit(
                    "web",
                    ["email": "ada@lovelace.dev", "firstName": "Ada", "lastName": "Lovelace", "startTime": slot.iso])
                let id = try Self.id(answer)
                let intent = try await first.waitForFinal(id)
                #expect(intent.status == .booked)
                let after = try await Self.slots(first, "?days=14")
                let afterSecond = try await Self.slots(first, "?days=14", base: secondBase)
                #expect(!after.starts.contains(slot))
                #expect(!afterSecond.starts.contains(slot))
                // A 30-minute meeting on a 15-minute grid also takes the starts that overlap it.
                let overlapping = before.starts.filter { abs($0.timeIntervalSince(slot)) < 1800 }
                #expect(overlapping.count == 3)
                #expect(after.starts.count == before.starts.count - overlapping.count)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
    }

    @Test("50 concurrent visitors: at most one HubSpot availability call per link and TTL; bookings read the cache")
    func cacheUnderLoad() async throws {
        try await TestBridge.run(configure: {
            // Long enough that two rounds of 50 visitors fit in it on a loaded machine.
            Self.configure(&$0); $0.availability.cacheTTL = .seconds(6)
        }) {
            bridge in
            await bridge.sandbox.reset()
            // A window inside one month, so that one page holds it.
            let from = Self.today("Europe/London")
            func round() async throws -> [Slots] {
                try await withThrowingTaskGroup(of: Slots.self) { group in
                    for _ in 0..<50 { group.addTask { try await Self.slots(bridge, "?from=\(from)&days=1") } }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
            }
            func calls() async -> Int { await bridge.sandbox.requestStats().total }
            let first = try await round()
            #expect(first.allSatisfy { $0.status == 200 })
            #expect(Set(first.map(\.starts)).count == 1, "every visitor saw the same slots")
            #expect(await calls() == 1)
            _ = try await round()
            #expect(await calls() == 1, "still within the TTL")
            try await Task.sleep(for: .milliseconds(6300))
            let third = try await round()
            #expect(
                third.allSatisfy { $0.status == 200 },
                "\(third.filter { $0.status != 200 }.map { String(decoding: $0.body, as: UTF8.self) })")
            #expect(await calls() == 2, "one refresh after the TTL")

            // The booking check reads the same (fresh) page: one book call per booking, one booking info read.
            let slots = try await Self.slots(bridge, "?days=14")
            let before = await calls()
            var ids: [UUID] = []
            // An hour apart: 30-minute meetings on a 15-minute grid must not overlap one another.
            let picks = stride(from: 2, to: slots.starts.count, by: 4).prefix(3).map { slots.starts[$0] }
            for (n, slot) in picks.enumerated() {
                let answer = try await bridge.submit(
                    "web",
                    ["email": "v\(n)@lovelace.dev", "firstName": "Ada", "lastName": "V\(n)", "startTime": slot.iso])
                ids.append(try Self.id(answer))
            }
            for id in ids { #expect(try await bridge.waitForFinal(id).status == .booked) }
            let used = await calls() - before
            #expect(used <= 3 + 1 + 1, "3 bookings, booking info, at most one availability refresh; got \(used)")
        }
    }

    @Test("with the rate budget spent, visitors get the cached slots marked stale, and HubSpot is not called")
    func staleWhenBudgetSpent() async throws {
        try await TestBridge.run(configure: {
            Self.configure(&$0)
            $0.availability.cacheTTL = .milliseconds(500)
            $0.hubspot.rateLimitPer10s = 8
        }) { bridge in
            let fresh = try await Self.slots(bridge, "?days=3")
            #expect(fresh.status == 200)
            #expect(fresh.stale == false)
            let calls = await bridge.sandbox.requestStats().total
            // Bookings take what is left of the window (the visitors' reads leave a quarter to them).
            let budget = PostgresHubSpotRateBudget(database: bridge.database)
            let limits = HubSpotRateLimits(perWindow: 8)
            for _ in 0..<6 {
                _ = try await budget.take(account: bridge.bridge.configuration.hubspot.account!, limits: limits)
            }
            try await Task.sleep(for: .milliseconds(600))
            let stale = try await Self.slots(bridge, "?days=3")
            #expect(stale.status == 200)
            #expect(stale.stale == true)
            #expect(stale.starts == fresh.starts)
            #expect(await bridge.sandbox.requestStats().total == calls)
        }
    }

    @Test("CORS for the source's allowed origins only; preflight likewise")
    func cors() async throws {
        try await TestBridge.run(configure: Self.configure) { bridge in
            let allowed = try await bridge.request(
                .GET, "/v1/sources/site/slots?days=1", headers: [("Origin", "https://shop.example")])
            #expect(allowed.status == 200)
            #expect(allowed.headers.first(name: "access-control-allow-origin") == "https://shop.example")
            let other = try await bridge.request(
                .GET, "/v1/sources/site/slots?days=1", headers: [("Origin", "https://elsewhere.example")])
            #expect(other.headers.first(name: "access-control-allow-origin") == nil)
            let preflight = try await bridge.request(
                .OPTIONS, "/v1/sources/site/slots",
                headers: [("Origin", "https://shop.example"), ("Access-Control-Request-Method", "GET")])
            #expect(preflight.status == 204)
            let refused = try await bridge.request(
                .OPTIONS, "/v1/sources/site/slots", headers: [("Origin", "https://elsewhere.example")])
            #expect(refused.status == 403)
        }
    }

    @Test("unknown source 404; a non-public source needs the admin token")
    func notFoundAndAuth() async throws {
        try await TestBridge.run { bridge in
            let missing = try await bridge.request(.GET, "/v1/sources/nope/slots")
            #expect(missing.status == 404)
            #expect(missing.headers.first(name: "content-type") == "application/problem+json")
            let anonymous = try await bridge.request(.GET, "/v1/sources/rr/slots?days=1")
            #expect(anonymous.status == 401)
            let admin = try await bridge.request(
                .GET, "/v1/sources/rr/slots?days=1", headers: [("Authorization", "Bearer \(bridge.adminToken)")])
            #expect(admin.status == 200)
            #expect(admin.json?["slug"] as? String == SandboxSeeds.roundRobinLinkSlug)
        }
    }

    @Test(
        "bad parameters are a 422 naming each one",
        arguments: [
            ("?days=0", ["days"]), ("?days=32", ["days"]), ("?timezone=Mars/Olympus", ["timezone"]),
            ("?from=2027-02-29", ["from"]), ("?from=soon&days=x", ["from", "days"]),
            ("?durationMinutes=17", ["durationMinutes"]),
            ("?durationMinutes=-5", ["durationMinutes"]),
        ])
    func badParameters(query: String, fields: [String]) async throws {
        try await TestBridge.run { bridge in
            let answer = try await bridge.request(.GET, "/v1/sources/web/slots" + query)
            #expect(answer.status == 422)
            let errors = (answer.json?["errors"] as? [[String: Any]]) ?? []
            #expect(errors.compactMap { $0["field"] as? String }.sorted() == fields.sorted())
        }
    }
}
