import Foundation
import Logging

/// The one availability cache of every meeting link, for visitors' slot answers and the pipeline's booking check,
/// kept in PostgreSQL (`AvailabilityStore`) so that every bridge process shares it.
///
/// A page (one link, one UTC month, every duration) is refreshed at most once per `ttl` by whichever process
/// claims it first; the others serve the page they have meanwhile (stale while refreshing) or, with none yet,
/// wait for it. Slots the bridge holds or booked are subtracted on every read, so a booked slot is gone from every
/// process's answers at once, not only after the next refresh.
///
/// Visitors' reads go through `visitorAPI`, which yields to bookings in the account's rate budget: when the budget
/// is tight such a read answers from the cache, marked stale, instead of taking a booking's turn.
public struct AvailabilityCache: Sendable {
    let store: AvailabilityStore
    let visitorAPI: any SchedulerAPI
    let bookingAPI: any SchedulerAPI
    public let ttl: Duration
    let logger: Logger
    /// How long a claimed refresh may take before another process may claim it.
    static let refreshLease: Duration = .seconds(15)
    /// A page younger than this is as fresh as a new read would be: no re-read for a slot missing from it.
    static let rereadFloorMillis: Int64 = 1000

    public init(
        store: AvailabilityStore, visitorAPI: any SchedulerAPI, bookingAPI: any SchedulerAPI, ttl: Duration,
        logger: Logger
    ) {
        self.store = store
        self.visitorAPI = visitorAPI
        self.bookingAPI = bookingAPI
        self.ttl = ttl
        self.logger = logger
    }

    /// What a visitor's read found.
    public struct Snapshot: Sendable {
        public var pages: [HubSpotLinkAvailability]
        public var holds: [SlotHold]
        /// True when a page is older than the TTL (its refresh was not possible now, or is running elsewhere).
        public var stale: Bool
    }

    /// Raised when no page exists yet and none could be read now.
    public struct Unavailable: Error, Sendable {
        public var retryAfter: Duration
        public var message: String
    }

    /// The pages covering `window` and the holds inside it, for a visitor.
    public func snapshot(slug: String, window: SlotWindow, now: Date = Date()) async throws -> Snapshot {
        var pages: [HubSpotLinkAvailability] = []
        var ages: [Int64?] = []
        var stale = false
        for month in window.months(now: now) {
            let read = try await page(slug: slug, month: month, now: now, maxAgeMillis: nil)
            pages.append(read.page.linkAvailability)
            ages.append(read.ageMillis)
            stale = stale || read.stale
        }
        let holds = try await store.holds(slug: slug, startMillis: window.startMillis, endMillis: window.endMillis)
        // A booked hold hides its slot from any page fetched before its booking: from the oldest one read.
        let oldest = ages.contains { $0 == nil } ? nil : ages.compactMap { $0 }.max()
        return Snapshot(pages: pages, holds: SlotHold.hiding(holds, pageAgeMillis: oldest), stale: stale)
    }

    /// The booking check: whether the link offers the slot (from a page at most a TTL old, re-read when the slot
    /// is missing from an older one), the next offered starts when not, and the members' busy times.
    public func check(
        slug: String, startMillis: Int64, durationMillis: Int64, intentID: UUID, subtractHolds: Bool,
        now: Date = Date()
    ) async throws -> (offered: Bool, next: [Date], busyTimes: [HubSpotUserBusyTimes]) {
        let month = max(SlotWindow.month(of: startMillis), SlotWindow.month(of: HubSpotTimestamp.millis(now)))
        var maxAge = ttl.milliseconds
        while true {
            let read = try await page(slug: slug, month: month, now: now, maxAgeMillis: maxAge)
            let holds =
                subtractHolds
                ? SlotHold.hiding(
                    try await store.holds(
                        slug: slug, startMillis: startMillis, endMillis: startMillis + durationMillis + 86_400_000 * 7),
                    pageAgeMillis: read.ageMillis, except: intentID) : []
            let window = SlotWindow(startMillis: HubSpotTimestamp.millis(now), endMillis: Int64.max)
            let slots = window.slots(
                pages: [read.page.linkAvailability], durationMillis: durationMillis, excluding: holds)
            if slots.contains(where: { $0.startMillisUtc == startMillis }) {
                return (true, [], read.page.allUsersBusyTimes)
            }
            let age = read.ageMillis ?? .max
            if age >= Self.rereadFloorMillis && maxAge > Self.rereadFloorMillis {
                // Missing from a page that may predate a cancellation: read once more, fresh.
                maxAge = min(age, Self.rereadFloorMillis)
                continue
            }
            let next = slots.map(\.startMillisUtc).filter { $0 > startMillis }.prefix(3).map(HubSpotTimestamp.date)
            return (false, Array(next), read.page.allUsersBusyTimes)
        }
    }

    /// HubSpot refused a slot the cache offered: every page of the link is refreshed on its next read.
    public func invalidate(slug: String) async {
        do { try await store.markStale(slug: slug) } catch {
            logger.warning(
                "could not mark cached availability stale", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    struct Read {
        var page: HubSpotAvailabilityPage
        var ageMillis: Int64?
        var stale: Bool
    }

    /// One page. `maxAgeMillis` nil: a visitor's read, which takes any page it finds while a refresh is not
    /// possible; otherwise a booking check's, which needs a page at most that old.
    func page(slug: String, month: Date, now: Date, maxAgeMillis: Int64?) async throws -> Read {
        let ttlMillis = ttl.milliseconds
        let deadline = ContinuousClock.now + .seconds(10)
        var delay: Duration = .milliseconds(25)
        var reread = false
        while true {
            let cached = try await store.page(slug: slug, month: month)
            let limit = maxAgeMillis ?? ttlMillis
            if let page = cached?.page, let age = cached?.ageMillis, age < limit {
                return Read(page: page, ageMillis: age, stale: false)
            }
            if let claimedAt = try await store.claimRefresh(
                slug: slug, month: month, olderThan: .milliseconds(limit), lease: Self.refreshLease)
            {
                let api = maxAgeMillis == nil ? visitorAPI : bookingAPI
                do {
                    let offset = SlotWindow.monthOffset(of: month, now: now)
                    let fetched = try await api.availabilityPage(slug: slug, timezone: "UTC", monthOffset: offset)
                    try await store.store(slug: slug, month: month, page: fetched, claimedAt: claimedAt)
                    return Read(page: fetched, ageMillis: 0, stale: false)
                } catch {
                    try? await store.release(slug: slug, month: month)
                    if maxAgeMillis == nil, let page = cached?.page {
                        logger.debug(
                            "availability not refreshed now; answering from the cache",
                            metadata: ["slug": "\(slug)", "error": "\(error)"])
                        return Read(page: page, ageMillis: cached?.ageMillis, stale: true)
                    }
                    if maxAgeMillis == nil, let hubSpot = error as? HubSpotError,
                        case .rateLimited(_, let after) = hubSpot.classification
                    {
                        throw Unavailable(
                            retryAfter: after ?? .seconds(10),
                            message: "open slots cannot be read just now; try again shortly")
                    }
                    throw error
                }
            }
            // Another process is refreshing (or just refreshed): read again once, then a visitor takes the page
            // there is while a booking check waits for the new one.
            if !reread {
                reread = true
                continue
            }
            if maxAgeMillis == nil, let page = cached?.page {
                return Read(page: page, ageMillis: cached?.ageMillis, stale: (cached?.ageMillis ?? .max) >= ttlMillis)
            }
            guard ContinuousClock.now < deadline else {
                throw Unavailable(
                    retryAfter: .seconds(5), message: "open slots are being read; try again shortly")
            }
            try await Task.sleep(for: delay)
            delay = min(delay * 2, .milliseconds(200))
        }
    }
}
