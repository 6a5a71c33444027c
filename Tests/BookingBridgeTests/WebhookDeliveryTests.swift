import AsyncHTTPClient
import BookingBridge
import Foundation
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Testing

/// The dispatcher against a real HTTP receiver on 127.0.0.1 and a real database.
@Suite("Webhook delivery", .serialized)
struct WebhookDeliveryTests {
    @Test("at most maxConcurrentPerSubscription requests go to one subscription at once")
    func concurrencyCap() async throws {
        try await TestWebhooks.run { h in
            try await h.subscribe("/hold")
            for _ in 0..<12 { try await h.enqueue() }
            var settings = TestWebhooks.settings()
            settings.maxConcurrentPerSubscription = 3
            try await h.withDispatcher(settings) { _ in
                try await eventually("all delivered") {
                    try await h.deliveries().allSatisfy { $0.status == .delivered }
                }
            }
            #expect(await h.log.maxConcurrent == 3)
            #expect(await h.log.on("/hold").count == 12)
        }
    }

    @Test("no more requests at once than workers, however many deliveries are claimed ahead for them")
    func workersBoundRequests() async throws {
        try await TestWebhooks.run { h in
            try await h.subscribe("/hold")
            for _ in 0..<12 { try await h.enqueue() }
            var settings = TestWebhooks.settings()
            settings.workers = 3
            settings.maxConcurrentPerSubscription = 12
            try await h.withDispatcher(settings) { _ in
                try await eventually("all delivered") {
                    try await h.deliveries().allSatisfy { $0.status == .delivered }
                }
            }
            #expect(await h.log.maxConcurrent == 3, "3 workers; 3 more deliveries were claimed ahead for them")
            #expect(await h.log.on("/hold").count == 12)
        }
    }

    @Test("slots freed while slow subscribers hold the rest are claimed after the hold-back, not at the next poll")
    func holdBackEnds() async throws {
        try await TestWebhooks.run { h in
            // 7 of 8 workers stuck on a subscriber that answers after 8 s (the harness's HTTP client gives up after
            // 5 s); the 8th slot serves a fast one. A claim waits for a quarter of the slots while most are busy,
            // but only for 50 ms: the fast deliveries must go out one by one after each hold-back (about 0.7 s for
            // 12), not wait for the 10 s poll or the slow requests' end (before the fix: all at once after 5 s).
            try await h.subscribe("/stall", types: [WebhookEventType.bookingFailed])
            try await h.subscribe("/ok", types: [WebhookEventType.bookingConfirmed])
            for _ in 0..<7 { try await h.enqueue(type: WebhookEventType.bookingFailed) }
            for _ in 0..<12 { try await h.enqueue(type: WebhookEventType.bookingConfirmed) }
            var settings = TestWebhooks.settings()
            settings.workers = 8
            // Nothing claimed ahead: with a queue of deliveries waiting for the workers the fast ones would go out
            // from the queue and no claim would be held back.
            settings.claimAhead = 0
            settings.maxConcurrentPerSubscription = 8
            settings.pollInterval = .seconds(10)
            settings.timeoutSeconds = 20
            try await h.withDispatcher(settings) { _ in
                try await eventually(timeout: .seconds(4), "the fast subscriber's 12 deliveries") {
                    await h.log.on("/ok").count == 12
                }
            }
            #expect(await h.log.on("/stall").count == 7, "the slow ones were in flight all along")
        }
    }

    @Test("graceful shutdown finishes and records the requests in flight, and gives back what was claimed ahead")
    func gracefulShutdownRecordsAnswers() async throws {
        try await TestWebhooks.run { h in
            try await h.subscribe("/hold")  // answers after 150 ms
            for _ in 0..<6 { try await h.enqueue() }
            // 2 requests at once and 2 more claimed ahead of them.
            var settings = TestWebhooks.settings()
            settings.workers = 2
            settings.maxConcurrentPerSubscription = 6
            let dispatcher = WebhookDispatcher(
                database: h.database, settings: settings, httpClient: h.http, logger: TestWebhooks.logger)
            let group = ServiceGroup(
                services: [dispatcher], gracefulShutdownSignals: [], cancellationSignals: [],
                logger: TestWebhooks.logger)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                dispatcher.wake()
                try await eventually("the first requests") { await h.log.on("/hold").count > 0 }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            // Answered requests, each recorded by the time the dispatcher returned: none is sent again later.
            let sent = Set(await h.log.on("/hold").compactMap(\.id))
            #expect(!sent.isEmpty)
            let deliveries = try await h.deliveries()
            for delivery in deliveries where sent.contains(delivery.eventID) {
                #expect(delivery.status == .delivered, "delivery \(delivery.id)")
                #expect(!delivery.inFlight)
                #expect(try await h.attempts(delivery.id).count == 1)
            }
            // The others were never sent: none is left leased to the stopped dispatcher, none has an attempt.
            let unsent = deliveries.filter { !sent.contains($0.eventID) }
            #expect(!unsent.isEmpty, "6 deliveries, 2 at a time, shut down after the first")
            for delivery in unsent {
                #expect(delivery.status == .pending && !delivery.inFlight && delivery.attempts == 0)
                #expect(try await h.attempts(delivery.id).isEmpty)
            }
        }
    }

    @Test("the webhook HTTP client refuses a connection whose peer address the guard does not allow")
    func connectionGuard() async throws {
        try await TestWebhooks.run { h in
            var strict = WebhookSettings()
            strict.allowDestinations = []
            let client = WebhookHTTPClient.make(settings: strict)
            var request = HTTPClientRequest(url: h.url("/ok"))
            request.method = .POST
            do {
                _ = try await client.execute(request, timeout: .seconds(5))
                Issue.record("the request went through")
            } catch let refusal as DestinationGuard.Refusal {
                #expect(refusal.description.contains("127.0.0.1 is loopback"))
            } catch {
                Issue.record("unexpected error \(error)")
            }
            try await client.shutdown()
            #expect(await h.log.received.isEmpty)
            // The same request through a client that allows loopback arrives.
            _ = try await h.http.execute(request, timeout: .seconds(5))
            #expect(await h.log.received.count == 1)
        }
    }

    @Test("a delivery carries the Standard Webhooks headers and exactly the signed bytes")
    func signedDelivery() async throws {
        try await TestWebhooks.run { h in
            try await h.subscribe("/ok")
            let id = try await h.enqueue()
            try await h.withDispatcher { _ in
                try await eventually("delivery") { try await h.deliveries(event: id).first?.status == .delivered }
            }
            let received = try #require(await h.log.on("/ok").first)
            #expect(received.verified)
            #expect(received.id == id)
            #expect(received.contentType == "application/json")
            #expect(received.userAgent == "BookingBridge/\(WebhookSettings.bridgeVersion)")
            let timestamp = try #require(received.timestamp.flatMap(Int64.init))
            #expect(abs(Double(timestamp) - Date().timeIntervalSince1970) < 30)
            let body = String(decoding: received.body, as: UTF8.self)
            #expect(body.hasPrefix(#"{"type":"booking.confirmed","timestamp":""#))
            #expect(body.contains(#""data":{"intentId":"#))
            let attempts = try await h.attempts(try #require(try await h.deliveries(event: id).first).id)
            #expect(attempts.map(\.outcome) == ["delivered"])
            #expect(attempts.first?.statusCode == 204)
            #expect(attempts.first?.address == "127.0.0.1")
        }
    }

    @Test("one event goes to every matching subscription with the same webhook-id; filters apply")
    func fanOut() async throws {
        try await TestWebhooks.run { h in
            try await h.subscribe("/ok", types: ["booking.*"])
            try await h.subscribe("/fail3", types: ["booking.confirmed"])
            try await h.subscribe("/gone", types: ["booking.failed"])
            _ = try await SubscriptionStore(database: h.database).create(
                NewSubscription(url: h.url("/slow"), eventTypes: ["*"], sources: ["other-form"]))
            let id = try await h.enqueue()
            let deliveries = try await h.deliveries(event: id)
            #expect(deliveries.count == 2)
            try await h.withDispatcher { _ in
                try await eventually("both delivered") {
                    try await h.deliveries(event: id).allSatisfy { $0.status == .delivered }
                }
            }
            let ids = Set(await h.log.received.map(\.id))
            #expect(ids == [id])
            #expect(await h.log.received.allSatisfy { $0.verified })
        }
    }

    @Test("a receiver that fails three times gets the delivery on the fourth attempt")
    func failThreeTimesThenSucceed() async throws {
        try await TestWebhooks.run { h in
            try await h.subscribe("/fail3")
            let id = try await h.enqueue()
            try await h.withDispatcher { _ in
                try await eventually("delivered") { try await h.deliveries(event: id).first?.status == .delivered }
            }
            let delivery = try #require(try await h.deliveries(event: id).first)
            #expect(delivery.attempts == 4)
            let attempts = try await h.attempts(delivery.id)
            #expect(attempts.map(\.statusCode) == [500, 500, 500, 200])
            #expect(attempts.map(\.attempt) == [1, 2, 3, 4])
            let received = await h.log.on("/fail3")
            #expect(received.count == 4)
            #expect(Set(received.map(\.id)) == [id])
            #expect(received.allSatisfy { $0.verified })
            // Each attempt has its own timestamp and signature over the same body.
            #expect(Set(received.map(\.body)).count == 1)
        }
    }

    @Test("a receiver that always fails ends failed, and redeliver sends it again")
    func alwaysFailsThenRedeliver() async throws {
        try await TestWebhooks.run { h in
            try await h.subscribe("/fail")
            let id = try await h.enqueue()
            try await h.withDispatcher { _ in
                try await eventually("failed") { try await h.deliveries(event: id).first?.status == .failed }
                let delivery = try #require(try await h.deliveries(event: id).first)
                #expect(delivery.attempts == 4)
                #expect(delivery.lastStatusCode == 500)
                #expect(await h.log.on("/fail").count == 4)
                await h.log.setHealthy("/fail")
                guard case .queued = try await DeliveryStore(database: h.database).redeliver(id: delivery.id) else {
                    Issue.record("redeliver did not queue")
                    return
                }
                try await eventually("redelivered") { try await h.deliveries(event: id).first?.status == .delivered }
            }
            let received = await h.log.on("/fail")
            #expect(received.count == 5)
            #expect(Set(received.map(\.id)) == [id])
        }
    }

    @Test("410 Gone disables the subscription; enabling it again delivers what piled up")
    func goneDisables() async throws {
        try await TestWebhooks.run { h in
            let gone = try await h.subscribe("/gone")
            let watcher = try await h.subscribe("/ok", types: ["subscription.*"])
            let first = try await h.enqueue()
            try await h.withDispatcher { _ in
                try await eventually("disabled") {
                    try await SubscriptionStore(database: h.database).find(id: gone.id)?.enabled == false
                }
                try await eventually("announced") { await h.log.on("/ok").count == 1 }
                let stored = try #require(try await SubscriptionStore(database: h.database).find(id: gone.id))
                #expect(stored.disabledReason == .gone)
                let announcement = try #require(await h.log.on("/ok").first)
                let body = String(decoding: announcement.body, as: UTF8.self)
                #expect(body.contains(#""type":"subscription.disabled""#))
                #expect(body.contains(#""reason":"gone""#))
                #expect(body.contains(#""subscriptionId":"\#(gone.id.uuidString.lowercased())""#))
                // While disabled, new events pile up without being sent.
                let second = try await h.enqueue()
                try await Task.sleep(for: .milliseconds(300))
                #expect(await h.log.on("/gone").count == 1)
                #expect(try await h.deliveries(event: second, subscription: gone.id).first?.status == .pending)
                #expect(try await h.deliveries(event: first, subscription: gone.id).first?.status == .retrying)
                #expect(
                    try await h.deliveries(subscription: watcher.id).count == 1, "not told about itself, only others")
                // The subscriber moved; enabling the subscription sends both piled-up events.
                _ = try await SubscriptionStore(database: h.database).update(
                    id: gone.id, SubscriptionChanges(url: h.url("/moved"), enabled: true))
                try await eventually("piled-up deliveries sent") {
                    try await h.deliveries(subscription: gone.id).allSatisfy { $0.status == .delivered }
                }
                #expect(Set(await h.log.on("/moved").compactMap(\.id)) == [first, second])
            }
        }
    }

    @Test("after a 410, deliveries of that subscription claimed ahead are given back unsent, and sent when enabled")
    func goneGivesBackWhatWasClaimedAhead() async throws {
        try await TestWebhooks.run { h in
            // One worker and one claimed ahead: the first claim takes two of the three deliveries. The first
            // request is answered 410; the second delivery, waiting for the worker, is not posted to a subscriber
            // that has just said it is gone (without the check it is, and earns a second 410).
            let gone = try await h.subscribe("/gone")
            for _ in 0..<3 { try await h.enqueue() }
            var settings = TestWebhooks.settings()
            settings.workers = 1
            settings.claimAhead = 1
            try await h.withDispatcher(settings) { _ in
                try await eventually("disabled") {
                    try await SubscriptionStore(database: h.database).find(id: gone.id)?.enabled == false
                }
                try await eventually("nothing leased") { try await h.deliveries().allSatisfy { !$0.inFlight } }
                #expect(await h.log.on("/gone").count == 1, "one request, the one answered 410")
                let deliveries = try await h.deliveries(subscription: gone.id)
                #expect(deliveries.filter { $0.status == .retrying }.count == 1, "the one that was sent")
                let unsent = deliveries.filter { $0.status == .pending }
                #expect(unsent.count == 2)
                for delivery in unsent {
                    #expect(delivery.attempts == 0, "a give-back is not an attempt")
                    #expect(try await h.attempts(delivery.id).isEmpty)
                }
                _ = try await SubscriptionStore(database: h.database).update(
                    id: gone.id, SubscriptionChanges(url: h.url("/moved"), enabled: true))
                try await eventually("all sent once enabled") {
                    try await h.deliveries(subscription: gone.id).allSatisfy { $0.status == .delivered }
                }
            }
            #expect(await h.log.on("/gone").count == 1)
            let moved = await h.log.on("/moved")
            #expect(moved.count == 3 && Set(moved.compactMap(\.id)).count == 3, "each delivery once")
        }
    }

    @Test("a subscription's maxPerSecond holds for its requests, also for deliveries claimed together")
    func rateHoldsForDeliveriesClaimedTogether() async throws {
        try await TestWebhooks.run { h in
            // A rate of 1 and three deliveries: the first claim takes all three (two workers, two claimed ahead, a
            // cap of 4), and without pacing when requests start they leave within milliseconds of each other.
            let subscription = try await h.subscribe("/ok")
            _ = try await SubscriptionStore(database: h.database).update(
                id: subscription.id, SubscriptionChanges(maxPerSecond: 1))
            for _ in 0..<3 { try await h.enqueue() }
            var settings = TestWebhooks.settings()
            settings.workers = 2
            settings.claimAhead = 2
            try await h.withDispatcher(settings) { _ in
                try await eventually(timeout: .seconds(10), "all delivered") {
                    try await h.deliveries().allSatisfy { $0.status == .delivered }
                }
            }
            // Requests start a second apart; where the receiver sees them, a loaded machine can move each by some
            // tenths of a second (without pacing they arrive within milliseconds).
            let times = await h.log.on("/ok").map(\.at).sorted()
            #expect(times.count == 3)
            for (earlier, later) in zip(times, times.dropFirst()) {
                #expect(later.timeIntervalSince(earlier) >= 0.5, "requests \(times) closer than 1 a second")
            }
            if let first = times.first, let last = times.last {
                #expect(last.timeIntervalSince(first) >= 1.5, "three requests at 1 a second span 2 s: \(times)")
            }
        }
    }

    @Test("a subscription failing for longer than disableAfter is disabled and others are told")
    func autoDisable() async throws {
        try await TestWebhooks.run { h in
            let failing = try await h.subscribe("/fail", types: ["booking.*"])
            try await h.subscribe("/ok", types: ["subscription.disabled"])
            var settings = TestWebhooks.settings(schedule: ["0s"] + Array(repeating: "150ms", count: 20))
            settings.disableAfter = .milliseconds(500)
            let id = try await h.enqueue()
            try await h.withDispatcher(settings) { _ in
                try await eventually("disabled") {
                    try await SubscriptionStore(database: h.database).find(id: failing.id)?.disabledReason == .failing
                }
                try await eventually("announced") { await h.log.on("/ok").count == 1 }
                let body = String(decoding: try #require(await h.log.on("/ok").first).body, as: UTF8.self)
                #expect(body.contains(#""reason":"failing""#))
                #expect(body.contains(#""lastStatusCode":500"#))
                #expect(body.contains(#""failingSince":"#))
                let attemptsSoFar = await h.log.on("/fail").count
                try await Task.sleep(for: .milliseconds(400))
                #expect(await h.log.on("/fail").count == attemptsSoFar, "no attempts while disabled")
                await h.log.setHealthy("/fail")
                _ = try await SubscriptionStore(database: h.database).update(
                    id: failing.id, SubscriptionChanges(enabled: true))
                try await eventually("delivered after re-enabling") {
                    try await h.deliveries(event: id, subscription: failing.id).first?.status == .delivered
                }
            }
            let stored = try #require(try await SubscriptionStore(database: h.database).find(id: failing.id))
            #expect(stored.enabled && stored.failingSince == nil && stored.disabledReason == nil)
        }
    }

    @Test("429 with Retry-After is retried no earlier than it asks")
    func retryAfterHonoured() async throws {
        try await TestWebhooks.run { h in
            try await h.subscribe("/throttle")
            let id = try await h.enqueue()
            try await h.withDispatcher { _ in
                try await eventually("delivered") { try await h.deliveries(event: id).first?.status == .delivered }
            }
            let received = await h.log.on("/throttle")
            #expect(received.count == 2)
            let gap = received[1].at.timeIntervalSince(received[0].at)
            #expect(gap >= 1.9, "retried after \(gap) s although Retry-After said 2 s (schedule said 100 ms)")
            let attempts = try await h.attempts(try #require(try await h.deliveries(event: id).first).id)
            #expect(attempts.map(\.outcome) == ["throttled", "delivered"])
        }
    }

    @Test("a 302 is not followed and counts as a failure")
    func redirectNotFollowed() async throws {
        try await TestWebhooks.run { h in
            try await h.subscribe("/redirect")
            let id = try await h.enqueue()
            try await h.withDispatcher { _ in
                try await eventually("failed") { try await h.deliveries(event: id).first?.status == .failed }
            }
            #expect(await h.log.on("/ok").isEmpty)
            #expect(await h.log.on("/redirect").count == 4)
            let attempts = try await h.attempts(try #require(try await h.deliveries(event: id).first).id)
            #expect(attempts.allSatisfy { $0.outcome == "redirect" && $0.statusCode == 302 })
        }
    }

    @Test("a destination that resolves to a private or loopback address is refused unless allowed")
    func privateDestinationRefused() async throws {
        try await TestWebhooks.run { h in
            let resolver = StaticHostResolver([
                "hooks.internal.test": [IPAddress("10.1.2.3")!],
                "rebind.test": [IPAddress("127.0.0.1")!],
            ])
            let privateSub = try await SubscriptionStore(database: h.database).create(
                NewSubscription(url: "https://hooks.internal.test/x", eventTypes: ["*"]))
            let loopbackSub = try await h.subscribe("/ok", host: "rebind.test")
            let id = try await h.enqueue()
            var strict = TestWebhooks.settings(schedule: ["0s"])
            strict.allowDestinations = []
            try await h.withDispatcher(strict, resolver: resolver) { _ in
                try await eventually("both refused") {
                    try await h.deliveries(event: id).allSatisfy { $0.status == .failed }
                }
            }
            #expect(await h.log.received.isEmpty)
            for subscription in [privateSub, loopbackSub] {
                let delivery = try #require(try await h.deliveries(event: id, subscription: subscription.id).first)
                let attempt = try #require(try await h.attempts(delivery.id).first)
                #expect(attempt.outcome == "refused")
                #expect(attempt.error?.contains("not in webhooks.allowDestinations") == true)
            }
            let refusedPrivate = try #require(try await h.deliveries(event: id, subscription: privateSub.id).first)
            #expect(try await h.attempts(refusedPrivate.id).first?.error?.contains("10.1.2.3 is private") == true)

            // Allowed: the loopback one goes through (over http, pinned to the checked address).
            let loopbackDelivery = try #require(try await h.deliveries(event: id, subscription: loopbackSub.id).first)
            _ = try await DeliveryStore(database: h.database).redeliver(id: loopbackDelivery.id)
            try await h.withDispatcher(TestWebhooks.settings(), resolver: resolver) { _ in
                try await eventually("delivered when allowed") {
                    try await h.deliveries(event: id, subscription: loopbackSub.id).first?.status == .delivered
                }
            }
            #expect(await h.log.on("/ok").first?.verified == true)
        }
    }

    @Test("a delivery that waited for a worker too long for its lease is given back and sent once, not twice")
    func queuedPastLeaseIsGivenBack() async throws {
        try await TestWebhooks.run { h in
            // One worker and one delivery claimed ahead; /slow holds each first request 3 s. The second delivery
            // waits 3 s in the queue: with a 5 s lease it would still be in flight when its lease ran out, be
            // claimed again and go out twice. Waiting longer than half its lease (2.5 s), it is given back instead,
            // claimed afresh and sent once (its own 3 s request well inside a fresh lease).
            try await h.subscribe("/slow")
            for _ in 0..<2 { try await h.enqueue() }
            var settings = TestWebhooks.settings()
            settings.workers = 1
            settings.claimAhead = 1
            settings.lease = .seconds(5)
            settings.timeoutSeconds = 10
            try await h.withDispatcher(settings) { _ in
                try await eventually(timeout: .seconds(15), "both delivered") {
                    try await h.deliveries().allSatisfy { $0.status == .delivered }
                }
                try await Task.sleep(for: .milliseconds(500))  // a second copy would have gone out by now
            }
            let received = await h.log.on("/slow")
            #expect(received.count == 2, "each delivery once: \(received.compactMap(\.id))")
            #expect(Set(received.compactMap(\.id)).count == 2)
            for delivery in try await h.deliveries() {
                #expect(delivery.attempts == 1, "the give-back did not count as an attempt")
                #expect(try await h.attempts(delivery.id).count == 1)
            }
        }
    }

    @Test("killing the dispatcher mid-delivery: every delivery arrives at least once, duplicates share webhook-id")
    func killMidDelivery() async throws {
        try await TestWebhooks.run { h in
            try await h.subscribe("/slow")
            var ids: [String] = []
            for _ in 0..<6 { ids.append(try await h.enqueue()) }
            var settings = TestWebhooks.settings()
            settings.lease = .seconds(1)
            settings.timeoutSeconds = 10
            try await h.withDispatcher(settings) { _ in
                // The receiver holds each first request for 3 s; kill while they are in flight.
                try await eventually("requests in flight") { await h.log.on("/slow").count >= 4 }
            }
            #expect(try await h.deliveries().allSatisfy { $0.status != .delivered })
            try await h.withDispatcher(settings) { _ in
                try await eventually(timeout: .seconds(20), "all delivered after restart") {
                    try await h.deliveries().allSatisfy { $0.status == .delivered }
                }
            }
            let received = await h.log.on("/slow")
            let byID = Dictionary(grouping: received, by: { $0.id ?? "" })
            #expect(Set(byID.keys) == Set(ids))
            #expect(received.count > ids.count, "expected duplicates from the killed dispatcher")
            for (_, copies) in byID {
                #expect(Set(copies.map(\.body)).count == 1)
                #expect(copies.allSatisfy { $0.verified })
            }
        }
    }
}
