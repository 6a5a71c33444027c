import Foundation

/// Short-lived caches of what HubSpot says about meeting links, shared by the booking workers of one process.
///
/// Booking info changes rarely and is kept for `PipelineSettings.linkCacheTTL`. Availability changes with every
/// booking, so it is kept only briefly, to spare the account's rate budget when many intents for one link arrive
/// together. Concurrent misses for one key share a single HubSpot call. Reconciliation never uses the cache.
public actor LinkCatalog {
    private struct Entry<Value: Sendable> {
        var task: Task<Value, any Error>
        var expires: ContinuousClock.Instant
    }

    private let api: any SchedulerAPI
    private let infoTTL: Duration
    private let availabilityTTL: Duration
    private var infos: [String: Entry<HubSpotBookingInfo>] = [:]
    private var pages: [String: Entry<HubSpotAvailabilityPage>] = [:]

    public init(api: any SchedulerAPI, infoTTL: Duration, availabilityTTL: Duration = .seconds(2)) {
        self.api = api
        self.infoTTL = infoTTL
        self.availabilityTTL = availabilityTTL
    }

    public func bookingInfo(slug: String, timezone: String) async throws -> HubSpotBookingInfo {
        let key = "\(slug)|\(timezone)"
        let now = ContinuousClock.now
        if let entry = infos[key], entry.expires > now { return try await Self.wait(for: entry.task) }
        let api = self.api
        let task = Task { try await api.bookingInfo(slug: slug, timezone: timezone) }
        infos[key] = Entry(task: task, expires: now + infoTTL)
        do {
            return try await Self.wait(for: task)
        } catch {
            if !(error is CancellationError) { infos[key] = nil }
            throw error
        }
    }

    public func availability(slug: String, timezone: String, monthOffset: Int) async throws -> HubSpotAvailabilityPage {
        let key = "\(slug)|\(timezone)|\(monthOffset)"
        let now = ContinuousClock.now
        if let entry = pages[key], entry.expires > now { return try await Self.wait(for: entry.task) }
        let api = self.api
        let task = Task { try await api.availabilityPage(slug: slug, timezone: timezone, monthOffset: monthOffset) }
        pages[key] = Entry(task: task, expires: now + availabilityTTL)
        do {
            return try await Self.wait(for: task)
        } catch {
            if !(error is CancellationError) { pages[key] = nil }
            throw error
        }
    }

    /// Forgets cached availability of a link (after a booking or a refusal changed it).
    public func invalidateAvailability(slug: String) {
        pages = pages.filter { !$0.key.hasPrefix(slug + "|") }
    }

    /// The shared call's result; a cancelled caller stops waiting at once and leaves the call to the others.
    private static func wait<Value: Sendable>(for task: Task<Value, any Error>) async throws -> Value {
        try await abandoningOnCancel { try await task.value }
    }
}
