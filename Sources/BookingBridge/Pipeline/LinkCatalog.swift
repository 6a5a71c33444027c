import Foundation

/// A short-lived cache of the booking info of meeting links, shared by the booking workers and the booking page
/// of one process.
///
/// Booking info changes rarely and is kept for `PipelineSettings.linkCacheTTL`. Concurrent misses for one key
/// share a single HubSpot call. Availability is cached apart, for every process (`AvailabilityCache`).
public actor LinkCatalog {
    private struct Entry<Value: Sendable> {
        var task: Task<Value, any Error>
        var expires: ContinuousClock.Instant
    }

    private let api: any SchedulerAPI
    private let infoTTL: Duration
    private var infos: [String: Entry<HubSpotBookingInfo>] = [:]

    public init(api: any SchedulerAPI, infoTTL: Duration) {
        self.api = api
        self.infoTTL = infoTTL
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

    /// The booking info this catalog holds for the key, without calling HubSpot: `nil` when none is cached (or
    /// its call fails). For details of an event that must not cost a HubSpot call.
    public func cachedBookingInfo(slug: String, timezone: String) async -> HubSpotBookingInfo? {
        guard let entry = infos["\(slug)|\(timezone)"], entry.expires > ContinuousClock.now else { return nil }
        return try? await Self.wait(for: entry.task)
    }

    /// The shared call's result; a cancelled caller stops waiting at once and leaves the call to the others.
    private static func wait<Value: Sendable>(for task: Task<Value, any Error>) async throws -> Value {
        try await abandoningOnCancel { try await task.value }
    }
}
