import Foundation
import Testing

@testable import HubSpotSandbox

/// The sandbox's pure parts: schedule arithmetic, booking rules, rate limiter, OAuth tokens, routing.
@Suite("Sandbox rules")
struct SandboxRulesTests {
    static func millis(_ iso: String) -> Int64 { SandboxTime.parse(iso)! }

    static var jane: SandboxLink { SandboxLink.seeded[0] }
    static var roundRobin: SandboxLink { SandboxLink.seeded[1] }
    static var onboarding: SandboxLink { SandboxLink.seeded[2] }

    @Test func gridFollowsWorkingHoursInTheLinksZoneAcrossDaylightSaving() {
        let schedule = SandboxSchedule(link: Self.jane)
        let winterDay = SandboxInterval(
            start: Self.millis("2026-12-07T00:00:00Z"), end: Self.millis("2026-12-08T00:00:00Z"))
        let winter = schedule.gridStarts(durationMillis: 1_800_000, in: winterDay)
        #expect(winter.count == 31)
        #expect(winter.first == Self.millis("2026-12-07T09:00:00Z"))
        #expect(winter.last == Self.millis("2026-12-07T16:30:00Z"))
        let summerDay = SandboxInterval(
            start: Self.millis("2026-07-06T00:00:00Z"), end: Self.millis("2026-07-07T00:00:00Z"))
        #expect(
            schedule.gridStarts(durationMillis: 3_600_000, in: summerDay).first == Self.millis("2026-07-06T08:00:00Z"))
        let saturday = SandboxInterval(
            start: Self.millis("2026-12-05T00:00:00Z"), end: Self.millis("2026-12-06T00:00:00Z"))
        #expect(schedule.gridStarts(durationMillis: 900_000, in: saturday).isEmpty)
        let onboarding = SandboxSchedule(link: Self.onboarding)
        let berlin = onboarding.gridStarts(durationMillis: 2_700_000, in: winterDay)
        #expect(berlin.first == Self.millis("2026-12-07T09:00:00Z"))
        #expect(berlin.count == 8, "45-minute meetings back to back from 10:00 to 16:00 Berlin")
    }

    @Test func offeredStartsRespectNoticeGridAndHorizon() {
        let schedule = SandboxSchedule(link: Self.jane)
        let now = Self.millis("2026-12-07T09:50:00Z")
        #expect(
            !schedule.offersStart(Self.millis("2026-12-07T10:00:00Z"), durationMillis: 1_800_000, now: now),
            "inside notice")
        #expect(schedule.offersStart(Self.millis("2026-12-07T10:15:00Z"), durationMillis: 1_800_000, now: now))
        #expect(
            !schedule.offersStart(Self.millis("2026-12-07T10:20:00Z"), durationMillis: 1_800_000, now: now),
            "off the grid")
        #expect(
            !schedule.offersStart(Self.millis("2026-12-07T16:45:00Z"), durationMillis: 1_800_000, now: now),
            "ends after hours")
        #expect(schedule.offersStart(Self.millis("2027-01-01T10:00:00Z"), durationMillis: 1_800_000, now: now))
        #expect(
            !schedule.offersStart(Self.millis("2027-01-05T10:00:00Z"), durationMillis: 1_800_000, now: now),
            "beyond 4 weeks")
    }

    @Test func availabilityPagesByCalendarMonth() {
        let schedule = SandboxSchedule(link: Self.jane)
        let now = Self.millis("2026-12-15T10:00:00Z")
        let zone = TimeZone(identifier: "Europe/London")!
        let december = schedule.availabilityPage(now: now, monthOffset: 0, zone: zone, bookings: [])
        let january = schedule.availabilityPage(now: now, monthOffset: 1, zone: zone, bookings: [])
        #expect(december.hasMore && !january.hasMore)
        let decemberSlots = december.slots[1_800_000] ?? []
        let januarySlots = january.slots[1_800_000] ?? []
        #expect(decemberSlots.allSatisfy { $0.start < Self.millis("2027-01-01T00:00:00Z") })
        #expect(januarySlots.first?.start == Self.millis("2027-01-01T09:00:00Z"))
        #expect(januarySlots.last.map { $0.start < Self.millis("2027-01-12T10:00:00Z") } == true)
        #expect(schedule.availabilityPage(now: now, monthOffset: 2, zone: zone, bookings: []).slots[1_800_000] == [])
    }

    @Test func bufferBlocksNeighbouringSlots() {
        let schedule = SandboxSchedule(link: Self.onboarding)
        let booking = Self.booking(
            link: Self.onboarding, start: Self.millis("2026-12-07T09:00:00Z"), duration: 2_700_000, user: "5524")
        let busy = schedule.busyTimes(bookings: [booking], in: .init(start: 0, end: Int64.max / 2))
        let next = SandboxInterval(start: Self.millis("2026-12-07T09:45:00Z"), end: Self.millis("2026-12-07T10:30:00Z"))
        let later = SandboxInterval(
            start: Self.millis("2026-12-07T10:30:00Z"), end: Self.millis("2026-12-07T11:15:00Z"))
        #expect(schedule.freeMembers(for: next, busy: busy).isEmpty)
        #expect(schedule.freeMembers(for: later, busy: busy).count == 1)
    }

    @Test func roundRobinAssignment() {
        let rules = SandboxBookingRules(link: Self.roundRobin, now: 0)
        let pool = Self.roundRobin.members
        #expect(rules.assign(from: pool, likely: [], bookings: [])?.userId == "5521")
        #expect(rules.assign(from: pool, likely: ["5523"], bookings: [])?.userId == "5523")
        #expect(rules.assign(from: pool, likely: ["9999"], bookings: [])?.userId == "5521", "unknown ids are ignored")
        let janeBusy = [Self.booking(link: Self.roundRobin, start: 0, duration: 1, user: "5521")]
        #expect(rules.assign(from: pool, likely: [], bookings: janeBusy)?.userId == "5522", "fewest bookings wins")
        #expect(rules.assign(from: [], likely: [], bookings: []) == nil)
        let wednesdayNoon = SandboxInterval(
            start: Self.millis("2026-12-09T17:00:00Z"), end: Self.millis("2026-12-09T17:30:00Z"))
        let schedule = SandboxSchedule(link: Self.roundRobin)
        let busy = schedule.busyTimes(
            bookings: [], in: .init(start: wednesdayNoon.start - 86_400_000, end: wednesdayNoon.end + 86_400_000))
        #expect(schedule.freeMembers(for: wednesdayNoon, busy: busy).map(\.userId) == ["5523"])
    }

    @Test func emailFilter() {
        for good in ["ada@lovelace.dev", "Grace.Hopper@navy.mil", "x@sub.company.co.uk"] {
            #expect(SandboxEmail.isAcceptable(good), "\(good)")
        }
        for bad in [
            "ada@example.com", "ADA@EXAMPLE.COM", "a@b.example.net", "a@test.com", "a@foo.test", "a@", "@b.dev",
            "a b@c.dev", "a@b", "a@b..dev",
        ] {
            #expect(!SandboxEmail.isAcceptable(bad), "\(bad)")
        }
    }

    @Test func rateLimiterWindowsAndDays() {
        var limiter = SandboxRateLimiter(limit: 2, dailyLimit: 3, timeZone: TimeZone(identifier: "UTC")!)
        #expect(limiter.admit(app: "a", hasDailyLimit: true, now: 1_000).remaining == 1)
        #expect(limiter.admit(app: "a", hasDailyLimit: true, now: 2_000).remaining == 0)
        #expect(limiter.admit(app: "a", hasDailyLimit: true, now: 3_000).limitedBy == .tenSecondly)
        #expect(limiter.admit(app: "b", hasDailyLimit: false, now: 3_000).limitedBy == nil)
        #expect(
            limiter.admit(app: "a", hasDailyLimit: true, now: 11_000).limitedBy == nil, "first request left the window")
        let daily = limiter.admit(app: "a", hasDailyLimit: true, now: 30_000)
        #expect(daily.limitedBy == .daily && daily.dailyRemaining == 0)
        #expect(limiter.admit(app: "a", hasDailyLimit: true, now: 86_400_000 + 1).limitedBy == nil, "new UTC day")
        #expect(limiter.admit(app: "b", hasDailyLimit: false, now: 3_500).headers.count == 3)
    }

    @Test func oauthRotation() {
        var tokens = SandboxOAuthTokens(clientID: "id", clientSecret: "secret", refreshToken: "r0", lifetimeSeconds: 60)
        let form = ["grant_type": "refresh_token", "client_id": "id", "client_secret": "secret", "refresh_token": "r0"]
        guard case .success(let issued) = tokens.refresh(form: form, now: 0) else {
            Issue.record("refresh failed")
            return
        }
        #expect(tokens.check(issued.accessToken, now: 59_999) == .valid)
        #expect(tokens.check(issued.accessToken, now: 65_000) == .expired(atMillis: 60_000))
        #expect(tokens.check("other", now: 0) == .unknown)
        guard case .failure(let error) = tokens.refresh(form: form, now: 1) else {
            Issue.record("old refresh token still works")
            return
        }
        #expect(error.status == 400)
    }

    @Test func routesDecodeSlugsAfterSplitting() {
        #expect(SandboxRoute(rawPath: "/scheduler/2026-03/meetings/meeting-links/book") == .book)
        #expect(
            SandboxRoute(rawPath: "/scheduler/v3/meetings/meeting-links/book/sales%2Fdiscovery")
                == .bookingInfo(slug: "sales/discovery"))
        #expect(
            SandboxRoute(rawPath: "/scheduler/2026-09/meetings/meeting-links/book/availability-page/a%2Fb%20c")
                == .availabilityPage(slug: "a/b c"))
        #expect(SandboxRoute(rawPath: "/scheduler/2026-03/meetings/meeting-links/") == .listLinks)
        #expect(SandboxRoute(rawPath: "/scheduler/2026-03/meetings/meeting-links/book/sales/discovery") == .notFound)
        #expect(SandboxRoute(rawPath: "/scheduler/2025-01/meetings/meeting-links") == .notFound)
        #expect(SandboxRoute(rawPath: "/oauth/2026-03/token") == .oauthToken)
        #expect(SandboxRoute(rawPath: "/__sandbox/faults") == .control(.faults))
        #expect(SandboxForm.parse("a=1&b=two+words&c=%2F&d") == ["a": "1", "b": "two words", "c": "/", "d": ""])
    }

    @Test func isoTimesParseWithOffsetsAndFractions() {
        #expect(SandboxTime.parse("2026-12-03T14:30:00Z") == 1_796_308_200_000)
        #expect(SandboxTime.parse("2026-12-03T14:30:00.000Z") == 1_796_308_200_000)
        #expect(SandboxTime.parse("2026-12-03T15:30:00+01:00") == 1_796_308_200_000)
        #expect(SandboxTime.parse("2026-12-03") == nil)
        #expect(SandboxTime.format(1_796_308_200_000) == "2026-12-03T14:30:00Z")
    }

    static func booking(link: SandboxLink, start: Int64, duration: Int64, user: String) -> SandboxBooking {
        SandboxBooking(
            id: "1", linkId: link.id, slug: link.slug, startMillis: start, durationMillis: duration, email: "a@b.dev",
            firstName: "A", lastName: "B", assignedUserId: user, isOffline: false, calendarEventId: "x", contactId: "1",
            formFields: [:], guestEmails: [], bookedAtMillis: 0
        )
    }
}
