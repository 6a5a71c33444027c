import BookingBridge
import Foundation
import HubSpotSandbox
import PostgresNIO
import Testing

/// End-to-end latency (issue 5): with the sandbox answering every call in 50 ms and nothing else queued, how long
/// from the 202 to `booked`. Run by bench/run (`PIPELINE_BENCH=1`); skipped otherwise. It prints figures and
/// asserts only that the run itself worked, never a timing. Serialized: run side by side, the benchmarks measured
/// each other (the claim latency with 10,000 rows came out four times the one with 2,000,000).
@Suite(
    "Pipeline benchmark", .serialized, .enabled(if: ProcessInfo.processInfo.environment["PIPELINE_BENCH"] != nil))
struct PipelineBenchmarkTests {
    @Test("202 to booked, one intent at a time, sandbox latency 50 ms")
    func latency() async throws {
        let count = Int(ProcessInfo.processInfo.environment["PIPELINE_BENCH_COUNT"] ?? "") ?? 40
        try await TestBridge.run(
            sandbox: { $0.rateLimit = 100_000 }, configure: { $0.hubspot.rateLimitPer10s = 100_000 }
        ) { bridge in
            let slots = try await bridge.freeSlots(
                slug: SandboxSeeds.personalLinkSlug, timezone: "Europe/London", minutes: 15)
            var faults = SandboxFaults()
            faults.latencyMs = 50
            await bridge.sandbox.setFaults(faults)
            var samples: [Double] = []
            for n in 0..<count {
                let answer = try await bridge.submit(
                    "web",
                    [
                        "email": "bench\(n)@lovelace.dev", "firstName": "B", "lastName": "N\(n)",
                        "startTime": slots[n * 2].iso, "durationMinutes": 15,
                    ])
                #expect(answer.status == 202)
                let text = try #require(answer.json?["id"] as? String)
                let id = try #require(UUID(uuidString: text))
                let store = IntentStore(database: bridge.database)
                while try await store.find(id: id)?.status.isFinal != true {
                    try await Task.sleep(for: .milliseconds(2))
                }
                let intent = try #require(try await store.find(id: id))
                #expect(intent.status == .booked)
                // From the 202 to the commit of the outcome, measured on the database's clock.
                let dbMs = (intent.finishedAt!.timeIntervalSince(intent.createdAt)) * 1000
                samples.append(dbMs)
            }
            let sorted = samples.sorted()
            func pct(_ p: Double) -> Double {
                sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
            }
            // The first intent warms the link cache (booking info); later ones need availability (cached 2 s) and book.
            let line = String(
                format:
                    "BENCH pipeline_latency_ms count=%d p50=%.1f p90=%.1f p99=%.1f max=%.1f first=%.1f sandbox_latency_ms=50",
                sorted.count, pct(0.5), pct(0.9), pct(0.99), sorted.last!, samples.first!)
            print(line)
        }
    }

    @Test(
        "bookings per second against the sandbox, with its limit set high and at HubSpot's real 100 per 10 s (there also HubSpot calls per booking)"
    )
    func throughput() async throws {
        for (limit, count) in [(100_000, 300), (100, 300)] {
            try await TestBridge.run(
                sandbox: { $0.rateLimit = limit },
                configure: {
                    $0.hubspot.rateLimitPer10s = limit
                    $0.pipeline.workers = 16
                }
            ) { bridge in
                let slots = try await bridge.freeSlots(
                    slug: SandboxSeeds.personalLinkSlug, timezone: "Europe/London", minutes: 15)
                let before = await bridge.sandbox.requestStats()
                let started = ContinuousClock.now
                var ids: [UUID] = []
                for n in 0..<count {
                    let answer = try await bridge.submit(
                        "web",
                        [
                            "email": "tp\(n)@lovelace.dev", "firstName": "T", "lastName": "P\(n)",
                            "startTime": slots[n * 2].iso, "durationMinutes": 15,
                        ])
                    let text = try #require(answer.json?["id"] as? String)
                    ids.append(try #require(UUID(uuidString: text)))
                }
                for id in ids { _ = try await bridge.waitForFinal(id, timeout: .seconds(300)) }
                let elapsed = (ContinuousClock.now - started).seconds
                let stats = await bridge.sandbox.requestStats()
                let booked = try await bridge.count("SELECT count(*) FROM intents WHERE status = 'booked'")
                #expect(booked == count)
                let calls = stats.total - before.total
                print(
                    String(
                        format:
                            "BENCH booking_throughput limit_per_10s=%d intents=%d seconds=%.1f bookings_per_s=%.1f hubspot_calls=%d calls_per_s=%.1f limit_used=%.2f max_in_10s=%d rate_limited=%d",
                        limit, count, elapsed, Double(booked) / elapsed, calls, Double(calls) / elapsed,
                        Double(stats.maxInAnyWindow) / Double(limit), stats.maxInAnyWindow,
                        stats.rateLimited - before.rateLimited))
                if limit == 100 {
                    // At HubSpot's real limit with every intent due at once: what each booking cost in HubSpot
                    // calls, by the sandbox's own counters. The ideal is the booking call alone.
                    let reads = stats.availabilityReads - before.availabilityReads
                    let books = stats.bookCalls - before.bookCalls
                    let infos = stats.bookingInfoReads - before.bookingInfoReads
                    print(
                        String(
                            format:
                                "BENCH calls_per_booking limit_per_10s=%d bookings=%d calls=%d availability_reads=%d book_calls=%d booking_info_reads=%d other_calls=%d rate_limited=%d per_booking=%.3f ideal=1.0 target=1.15",
                            limit, booked, calls, reads, books, infos, calls - reads - books - infos,
                            stats.rateLimited - before.rateLimited, Double(calls) / Double(max(booked, 1))))
                }
            }
        }
    }

    @Test("claim latency with 10,000 and with 2,000,000 finished rows in the intents table")
    func claimGrowth() async throws {
        try await TestDatabase.withFreshDatabase { db in
            let store = IntentStore(database: db)
            func fill(finished: Int) async throws {
                try await db.client.query(
                    """
                    INSERT INTO intents (id, source, idempotency_key, status, raw, request, finished_at, created_at)
                    SELECT gen_random_uuid(), 'growth', 'f' || g || '-' || \(finished), 'booked', '{}'::jsonb, '{}'::jsonb,
                           now() - interval '1 day', now() - interval '1 day'
                    FROM generate_series(1, \(finished)) AS g
                    """)
                try await db.client.query("ANALYZE intents")
            }
            func measure(label: Int) async throws -> Double {
                // 200 rounds of: one due intent appears, a worker claims it.
                var total: Duration = .zero
                for n in 0..<200 {
                    try await db.client.query(
                        """
                        INSERT INTO intents (id, source, idempotency_key, raw, request)
                        VALUES (gen_random_uuid(), 'growth', \("due-\(label)-\(n)"), '{}'::jsonb,
                                '{"slug":"s","startTime":"2030-01-01T10:00:00.000Z","durationMinutes":30,"email":"a@b.dev","firstName":"A","lastName":"B","timezone":"UTC","formFields":{},"consents":{},"guestEmails":[]}'::jsonb)
                        """)
                    let started = ContinuousClock.now
                    let claimed = try await store.claimDue(owner: "bench", limit: 8, lease: .seconds(600))
                    total += ContinuousClock.now - started
                    #expect(claimed.count == 1)
                }
                return total.seconds * 1000 / 200
            }
            try await fill(finished: 10_000)
            _ = try await measure(label: 0)  // warm-up: connections, plans and caches, so both figures are warm
            let small = try await measure(label: 10_000)
            try await fill(finished: 1_990_000)
            let large = try await measure(label: 2_000_000)
            print(
                String(
                    format:
                        "BENCH claim_growth finished_rows_small=10000 claim_ms_small=%.3f finished_rows_large=2000000 claim_ms_large=%.3f ratio=%.2f",
                    small, large, large / small))
        }
    }
}
