import AsyncHTTPClient
import BookingBridge
import Foundation
import HubSpotSandbox
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The client against the sandbox: reads, bookings, and every classification of the contract's error table that
/// a real exchange can produce.
@Suite("HubSpot client contract (sandbox)")
struct HubSpotContractTests {
    typealias Kit = TestHubSpot

    @Test("lists the seeded meeting links and pages with limit/after")
    func listLinks() async throws {
        try await Kit.withSandbox { _, baseURL in
            try await Kit.withHTTPClient { http in
                let client = Kit.client(baseURL: baseURL, httpClient: http)
                let page = try await client.listMeetingLinks()
                #expect(
                    Set(page.results.map(\.slug)).isSuperset(of: [
                        SandboxSeeds.personalLinkSlug, SandboxSeeds.roundRobinLinkSlug, SandboxSeeds.formLinkSlug,
                    ]))
                let first = try await client.listMeetingLinks(limit: 1)
                #expect(first.results.count == 1)
                if let after = first.nextAfter {
                    let second = try await client.listMeetingLinks(limit: 1, after: after)
                    #expect(second.results.first?.slug != first.results.first?.slug)
                }
            }
        }
    }

    @Test("reads booking info and availability of a slug with '/' (percent-encoded in the path)")
    func readsRoundRobin() async throws {
        try await Kit.withSandbox { _, baseURL in
            try await Kit.withHTTPClient { http in
                let client = Kit.client(baseURL: baseURL, httpClient: http)
                let info = try await client.bookingInfo(
                    slug: SandboxSeeds.roundRobinLinkSlug, timezone: "America/New_York")
                #expect(info.linkType == "ROUND_ROBIN_CALENDAR")
                #expect(info.customParams.durations == [1_800_000, 3_600_000])
                #expect(info.allUsersBusyTimes.count == 3)
                let page = try await client.availabilityPage(
                    slug: SandboxSeeds.roundRobinLinkSlug, timezone: "America/New_York")
                let slots = page.linkAvailability.slots(durationMillis: 1_800_000)
                #expect(!slots.isEmpty)
                #expect(slots.allSatisfy { $0.endMillisUtc - $0.startMillisUtc == 1_800_000 })
            }
        }
    }

    @Test("books a slot; a second booking of it is MEETING_TIME_NOT_AVAILABLE (permanent)")
    func bookTwice() async throws {
        try await Kit.withSandbox { sandbox, baseURL in
            try await Kit.withHTTPClient { http in
                let client = Kit.client(baseURL: baseURL, httpClient: http)
                let slot = try #require(
                    try await Kit.slots(client, slug: SandboxSeeds.personalLinkSlug, durationMillis: 1_800_000).first)
                let booked = try await client.book(Kit.bookingRequest(startMillis: slot.startMillisUtc))
                #expect(booked.isConfirmedMeeting)
                #expect(booked.startMillis == slot.startMillisUtc)
                #expect(booked.durationMillis == 1_800_000)
                let error = try #require(
                    await Kit.hubSpotError {
                        try await client.book(
                            Kit.bookingRequest(startMillis: slot.startMillisUtc, email: "grace@hopper.dev"))
                    })
                #expect(error.status == 400)
                #expect(error.classification == .permanent)
                #expect(error.bookingRejection == .timeNotAvailable)
                #expect(error.correlationId != nil)
                #expect(!error.mayHaveBooked)
                #expect(await sandbox.bookings().count == 1)
            }
        }
    }

    @Test("a round-robin slug with '/' books, raw in the body, and the offline trap is visible")
    func bookRoundRobin() async throws {
        try await Kit.withSandbox { sandbox, baseURL in
            try await Kit.withHTTPClient { http in
                let client = Kit.client(baseURL: baseURL, httpClient: http)
                let slug = SandboxSeeds.roundRobinLinkSlug
                let slot = try #require(try await Kit.slots(client, slug: slug, durationMillis: 1_800_000).first)
                var request = Kit.bookingRequest(slug: slug, startMillis: slot.startMillisUtc)
                request.likelyAvailableUserIds = [SandboxSeeds.offlineUserId]
                let booked = try await client.book(request)
                #expect(booked.isOffline)
                #expect(!booked.isConfirmedMeeting)
                #expect(await sandbox.bookings().last?.slug == slug)
            }
        }
    }

    @Test("each 400 the contract lists comes back permanent with its reason")
    func validationErrors() async throws {
        try await Kit.withSandbox { _, baseURL in
            try await Kit.withHTTPClient { http in
                let client = Kit.client(baseURL: baseURL, httpClient: http)
                let slot = try #require(
                    try await Kit.slots(client, slug: SandboxSeeds.personalLinkSlug, durationMillis: 1_800_000).first)
                var minutes = Kit.bookingRequest(startMillis: slot.startMillisUtc)
                minutes.durationMillis = 30
                var past = Kit.bookingRequest(startMillis: slot.startMillisUtc)
                past.startMillis = HubSpotTimestamp.millis(Date()) - 86_400_000
                let spam = Kit.bookingRequest(startMillis: slot.startMillisUtc, email: "someone@example.com")
                var guests = Kit.bookingRequest(startMillis: slot.startMillisUtc)
                guests.guestEmails = ["guest@lovelace.dev"]
                let cases: [(HubSpotBookingRequest, HubSpotBookingRejection)] = [
                    (minutes, .durationNotValid), (past, .startTimeNotValid), (spam, .invalidEmail),
                    (guests, .invalidGuestEmails),
                ]
                for (request, rejection) in cases {
                    let error = try #require(await Kit.hubSpotError { try await client.book(request) })
                    #expect(error.status == 400, "\(rejection)")
                    #expect(error.classification == .permanent, "\(rejection)")
                    #expect(error.bookingRejection == rejection, "\(error)")
                }

                let formSlot = try #require(
                    try await Kit.slots(client, slug: SandboxSeeds.formLinkSlug, durationMillis: 2_700_000).first)
                var form = Kit.bookingRequest(
                    slug: SandboxSeeds.formLinkSlug, startMillis: formSlot.startMillisUtc, durationMillis: 2_700_000)
                form.legalConsentResponses = [
                    HubSpotConsentResponse(communicationTypeId: SandboxSeeds.requiredConsentTypeId, consented: true)
                ]
                let error = try #require(await Kit.hubSpotError { try await client.book(form) })
                #expect(error.classification == .permanent)
                #expect(error.bookingRejection == .missingRequiredFormField, "\(error)")
                form.formFields = [HubSpotFormFieldValue(name: SandboxSeeds.requiredFormField, value: "ACME-1")]
                #expect(try await client.book(form).isConfirmedMeeting)
            }
        }
    }

    @Test("401 with a bad static token is permanent (nothing to refresh)")
    func unauthorized() async throws {
        try await Kit.withSandbox { _, baseURL in
            try await Kit.withHTTPClient { http in
                let client = Kit.client(baseURL: baseURL, httpClient: http, token: "not-a-token")
                let error = try #require(await Kit.hubSpotError { try await client.listMeetingLinks() })
                #expect(error.status == 401)
                #expect(error.category == "INVALID_AUTHENTICATION")
                #expect(error.classification == .permanent)
                #expect(!error.description.contains("not-a-token"))
            }
        }
    }

    @Test("403 for /book with the read-only token is permanent, with the missing scope")
    func forbidden() async throws {
        try await Kit.withSandbox { sandbox, baseURL in
            try await Kit.withHTTPClient { http in
                let client = Kit.client(baseURL: baseURL, httpClient: http, token: "sandbox-read-only")
                let slot = try #require(
                    try await Kit.slots(client, slug: SandboxSeeds.personalLinkSlug, durationMillis: 1_800_000).first)
                let error = try #require(
                    await Kit.hubSpotError {
                        try await client.book(Kit.bookingRequest(startMillis: slot.startMillisUtc))
                    })
                #expect(error.status == 403)
                #expect(error.category == "MISSING_SCOPES")
                #expect(error.context["requiredGranularScopes"] == ["crm.objects.contacts.write"])
                #expect(error.classification == .permanent)
                #expect(await sandbox.bookings().isEmpty)
            }
        }
    }

    @Test("404 for an unknown slug is permanent")
    func notFound() async throws {
        try await Kit.withSandbox { _, baseURL in
            try await Kit.withHTTPClient { http in
                let client = Kit.client(baseURL: baseURL, httpClient: http)
                let read = try #require(
                    await Kit.hubSpotError { try await client.bookingInfo(slug: "nobody/nothing", timezone: "UTC") })
                #expect(read.status == 404)
                #expect(read.classification == .permanent)
                let book = try #require(
                    await Kit.hubSpotError {
                        try await client.book(
                            Kit.bookingRequest(
                                slug: "nobody/nothing", startMillis: HubSpotTimestamp.millis(Date()) + 86_400_000))
                    })
                #expect(book.status == 404)
                #expect(book.classification == .permanent)
            }
        }
    }

    @Test("injected 5xx: reads are retryable, /book is uncertain", arguments: [500, 502, 503, 504])
    func serverErrors(status: Int) async throws {
        try await Kit.withSandbox { sandbox, baseURL in
            try await Kit.withHTTPClient { http in
                let client = Kit.client(baseURL: baseURL, httpClient: http)
                let slot = try #require(
                    try await Kit.slots(client, slug: SandboxSeeds.personalLinkSlug, durationMillis: 1_800_000).first)
                var faults = SandboxFaults()
                faults.failRate = 1
                faults.failStatus = status
                await sandbox.setFaults(faults)
                let read = try #require(
                    await Kit.hubSpotError {
                        try await client.bookingInfo(slug: SandboxSeeds.personalLinkSlug, timezone: "UTC")
                    })
                #expect(read.status == status)
                #expect(read.classification == .retryable(after: nil))
                let book = try #require(
                    await Kit.hubSpotError {
                        try await client.book(Kit.bookingRequest(startMillis: slot.startMillisUtc))
                    })
                #expect(book.status == status)
                #expect(book.classification == .uncertain)
                #expect(book.mayHaveBooked)
            }
        }
    }

    @Test("connection refused before sending is retryable and did not book")
    func connectionRefused() async throws {
        // A port held by a bound socket that does not listen: connecting is refused, and no other test can take
        // the port meanwhile (a port that was merely free could be reused by a test running in parallel).
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let baseURL = "http://127.0.0.1:\(UInt16(bigEndian: address.sin_port))"
        try await Kit.withHTTPClient(connectTimeoutSeconds: 1) { http in
            let client = Kit.client(baseURL: baseURL, httpClient: http, requestTimeoutSeconds: 2)
            let error = try #require(
                await Kit.hubSpotError {
                    try await client.book(Kit.bookingRequest(startMillis: HubSpotTimestamp.millis(Date()) + 86_400_000))
                })
            #expect(error.transport == .notConnected, "\(error)")
            #expect(error.classification == .retryable(after: nil))
            #expect(!error.mayHaveBooked)
        }
    }

    @Test("a timeout after sending is uncertain for /book and retryable for a read")
    func timeoutAfterSending() async throws {
        try await Kit.withSandbox { sandbox, baseURL in
            try await Kit.withHTTPClient { http in
                let fast = Kit.client(baseURL: baseURL, httpClient: http)
                let slot = try #require(
                    try await Kit.slots(fast, slug: SandboxSeeds.personalLinkSlug, durationMillis: 1_800_000).first)
                var faults = SandboxFaults()
                faults.latencyMs = 3_000
                await sandbox.setFaults(faults)
                let client = Kit.client(baseURL: baseURL, httpClient: http, requestTimeoutSeconds: 1)
                let book = try #require(
                    await Kit.hubSpotError {
                        try await client.book(Kit.bookingRequest(startMillis: slot.startMillisUtc))
                    })
                #expect(book.transport == .timedOut)
                #expect(book.classification == .uncertain)
                #expect(book.mayHaveBooked)
                let read = try #require(await Kit.hubSpotError { try await client.listMeetingLinks() })
                #expect(read.transport == .timedOut)
                #expect(read.classification == .retryable(after: nil))
            }
        }
    }

    @Test("book, then the connection drops: the client reports uncertain and the booking exists")
    func dropAfterBook() async throws {
        try await Kit.withSandbox({ $0.faults.dropAfterBookRate = 1 }) { sandbox, baseURL in
            try await Kit.withHTTPClient { http in
                let client = Kit.client(baseURL: baseURL, httpClient: http)
                let slot = try #require(
                    try await Kit.slots(client, slug: SandboxSeeds.personalLinkSlug, durationMillis: 1_800_000).first)
                let error = try #require(
                    await Kit.hubSpotError {
                        try await client.book(Kit.bookingRequest(startMillis: slot.startMillisUtc))
                    })
                #expect(error.status == nil)
                // Closed by the sandbox, or (on a loaded machine) timed out first: either way no answer was seen.
                #expect(error.transport == .connectionClosed || error.transport == .timedOut, "\(error)")
                #expect(error.classification == .uncertain)
                #expect(error.mayHaveBooked)
                let bookings = await sandbox.bookings()
                #expect(bookings.count == 1)
                #expect(bookings.first?.startMillis == slot.startMillisUtc)
                #expect(await sandbox.requestStats().dropped == 1)
            }
        }
    }
}
