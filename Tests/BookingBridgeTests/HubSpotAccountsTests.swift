import BookingBridge
import Foundation
import HubSpotSandbox
import Logging
import Testing

/// Several HubSpot accounts: `hubspotAccounts` in the configuration, a source naming its account, and each
/// account booking through its own token provider and rate budget.
@Suite("Several HubSpot accounts", .serialized)
struct HubSpotAccountsTests {
    static let file = """
        {"hubspotAccounts": {
            "agency-eu": {"accessToken": "pat-eu-secret-1", "rateLimitPer10s": 190, "dailyLimit": 625000,
                          "baseURL": "https://api.hubapi.com"},
            "agency-us": {"clientId": "client-us", "clientSecret": "oauth-secret-us", "refreshToken": "refresh-us-secret"}
         },
         "sources": {
            "eu": {"auth": {"mode": "token", "token": "t1"}, "slug": "a/b", "hubspot": "agency-eu"},
            "main": {"auth": {"mode": "token", "token": "t2"}, "slug": "c/d"}
         }}
        """

    @Test("hubspotAccounts and a source's hubspot are read; check-config lists the accounts without secrets")
    func accountsAreReadAndListed() throws {
        let configuration = try BridgeConfiguration.load(environment: [:], file: Data(Self.file.utf8))
        #expect(configuration.hubspotAccounts.keys.sorted() == ["agency-eu", "agency-us"])
        #expect(configuration.hubspotAccounts["agency-eu"]?.rateLimitPer10s == 190)
        #expect(configuration.hubspotAccounts["agency-us"]?.clientID == "client-us")
        #expect(configuration.sources["eu"]?.hubspot == "agency-eu")
        #expect(configuration.sources["main"]?.hubspot == nil)
        let summary = ConfigurationSummary.text(configuration)
        #expect(summary.contains("    agency-eu: https://api.hubapi.com auth=static token rate=190/10s daily=625000"))
        #expect(summary.contains("    agency-us: https://api.hubapi.com auth=oauth refresh"))
        #expect(summary.contains("eu: kind=form slug=a/b auth=token hubspot=agency-eu"))
        #expect(summary.contains("main: kind=form slug=c/d auth=token hubspot=(default)"))
        for secret in ["pat-eu-secret-1", "oauth-secret-us", "refresh-us-secret"] {
            #expect(!summary.contains(secret))
            #expect(!"\(configuration)".contains(secret))
        }
    }

    @Test("a source naming an unknown account, or an account without credentials, is refused")
    func unknownAccountsAreRefused() throws {
        let unknown = Self.file.replacingOccurrences(of: #""hubspot": "agency-eu""#, with: #""hubspot": "agency-xx""#)
        #expect {
            try BridgeConfiguration.load(environment: [:], file: Data(unknown.utf8))
        } throws: { error in
            let text = "\(error)"
            return text.contains("sources.eu.hubspot") && text.contains("agency-xx") && text.contains("agency-eu")
        }
        let noCredentials = #"{"hubspotAccounts": {"half": {"clientId": "x"}}}"#
        #expect {
            try BridgeConfiguration.load(environment: [:], file: Data(noCredentials.utf8))
        } throws: { "\($0)".contains("hubspotAccounts.half") }
        let noAccounts =
            #"{"sources": {"s": {"auth": {"mode": "token", "token": "t"}, "slug": "a/b", "hubspot": "x"}}}"#
        #expect {
            try BridgeConfiguration.load(environment: [:], file: Data(noAccounts.utf8))
        } throws: { "\($0)".contains("none is configured") }
    }

    @Test("two accounts on two sandboxes: one's daily budget spent, the other books at full speed, each in its own")
    func twoAccountsTwoSandboxes() async throws {
        try await TestBridge.withSecondSandbox(token: "second-account-token") { second, secondURL in
            try await TestBridge.run(configure: { c in
                // The default account may make three calls today: one booking at most (info, availability, book).
                c.hubspot.dailyLimit = 3
                c.addAccount("second", baseURL: secondURL, token: "second-account-token", source: "web2")
            }) { bridge in
                let slots = try await bridge.freeSlots(
                    slug: SandboxSeeds.personalLinkSlug, timezone: "Europe/London", minutes: 30)
                try #require(slots.count >= 40)
                var first: [UUID] = []
                for n in 0..<4 {
                    let answer = try await bridge.submit(
                        "web", PipelineEndToEndTests.person(100 + n, start: slots[2 * n]))
                    first.append(try PipelineEndToEndTests.id(answer))
                }
                // Let the default account spend its budget before the second account's load starts.
                try await Task.sleep(for: .seconds(1))
                let started = ContinuousClock.now
                var secondIDs: [UUID] = []
                for n in 0..<8 {
                    let answer = try await bridge.submit(
                        "web2", PipelineEndToEndTests.person(200 + n, start: slots[20 + 2 * n]))
                    secondIDs.append(try PipelineEndToEndTests.id(answer))
                }
                for id in secondIDs {
                    let intent = try await bridge.waitForFinal(id, timeout: .seconds(30))
                    #expect(intent.status == .booked, "\(String(describing: intent.lastError))")
                }
                let elapsed = ContinuousClock.now - started
                #expect(elapsed < .seconds(10), "the second account booked 8 in \(elapsed)")

                let store = IntentStore(database: bridge.database)
                var firstBooked = 0
                for id in first {
                    let intent = try #require(try await store.find(id: id))
                    if intent.status == .booked {
                        firstBooked += 1
                    } else {
                        #expect(!intent.status.isFinal, "waiting for its account's budget, not failed")
                        #expect(intent.lastError?.message.contains("DAILY") == true)
                    }
                }
                #expect(firstBooked <= 1, "the default account's budget allowed one booking")
                let firstEmails = Set(await bridge.sandbox.bookings().map(\.email))
                let secondEmails = Set(await second.bookings().map(\.email))
                #expect(secondEmails == Set((200..<208).map { "visitor\($0)@lovelace.dev" }))
                #expect(firstEmails.count == firstBooked)
                #expect(
                    firstEmails.allSatisfy {
                        ["visitor100", "visitor101", "visitor102", "visitor103"].contains(String($0.prefix(10)))
                    })
            }
        }
    }
}
