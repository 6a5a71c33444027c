import BookingBridge
import Foundation
import Testing

/// A source's `kind` in the configuration file: read, fitted to its `auth.mode` at start-up, and shown by
/// `serve --check-config`.
@Suite("Source kinds in the configuration")
struct SenderConfigurationTests {
    static func load(
        _ sources: String, server: String = #"{"publicURL": "https://bridge.lovelace.dev"}"#
    ) throws
        -> BridgeConfiguration
    {
        try BridgeConfiguration.load(
            environment: [:], file: Data(#"{"server": \#(server), "sources": \#(sources)}"#.utf8))
    }

    @Test("each kind with a mode that fits it loads; the summary prints each source's kind")
    func kindsLoad() throws {
        let configuration = try Self.load(
            """
            {"a": {"kind": "typeform", "auth": {"mode": "typeform", "secret": "s"}, "slug": "x/y"},
             "b": {"kind": "tally", "auth": {"mode": "tally", "secret": "s"}, "slug": "x/y"},
             "c": {"kind": "webflow", "auth": {"mode": "webflow", "secret": "s"}, "slug": "x/y"},
             "d": {"kind": "jotform", "auth": {"mode": "token", "token": "t"}, "slug": "x/y"},
             "e": {"kind": "hubspot", "auth": {"mode": "hubspot", "secret": "s"}, "slug": "x/y"},
             "f": {"kind": "json", "auth": {"mode": "token", "token": "t"}, "slug": "x/y",
                   "fields": {"email": "submission.questions[name=Email].value"}, "idempotencyPath": "submission.id"},
             "g": {"auth": {"mode": "public"}, "slug": "x/y"}}
            """)
        let kinds = configuration.sources.mapValues(\.kind.rawValue)
        #expect(
            kinds == [
                "a": "typeform", "b": "tally", "c": "webflow", "d": "jotform", "e": "hubspot", "f": "json", "g": "form",
            ])
        let summary = ConfigurationSummary.text(configuration)
        for (name, kind) in kinds { #expect(summary.contains("\(name): kind=\(kind) "), "\(summary)") }
        #expect(!summary.contains("\"s\""))
    }

    @Test(
        "a kind and auth.mode that do not fit are refused, naming the key",
        arguments: [
            ("typeform", #"{"mode": "hmac", "secret": "whsec_MDEyMzQ1Njc4OWFiY2RlZg=="}"#),
            ("webflow", #"{"mode": "token", "token": "t"}"#),
            ("jotform", #"{"mode": "typeform", "secret": "s"}"#),
            ("form", #"{"mode": "tally", "secret": "s"}"#),
            ("json", #"{"mode": "hubspot", "secret": "s"}"#),
        ])
    func mismatchRefused(kind: String, auth: String) throws {
        let error = try #require(throws: ConfigurationError.self) {
            try Self.load(#"{"quiz": {"kind": "\#(kind)", "auth": \#(auth), "slug": "x/y"}}"#)
        }
        #expect(error.key == "sources.quiz.auth.mode", "\(error)")
        #expect(error.description.contains(kind))
    }

    @Test("an unknown kind, a bad path and a hubspot source without server.publicURL are refused, naming the key")
    func otherRefusals() throws {
        let unknown = try #require(throws: ConfigurationError.self) {
            try Self.load(#"{"q": {"kind": "wufoo", "auth": {"mode": "token", "token": "t"}, "slug": "x/y"}}"#)
        }
        #expect(unknown.key == "sources.q.kind")
        let path = try #require(throws: ConfigurationError.self) {
            try Self.load(
                #"{"q": {"kind": "json", "auth": {"mode": "token", "token": "t"}, "slug": "x/y", "fields": {"email": "a[0"}}}"#
            )
        }
        #expect(path.key == "sources.q.fields.email")
        let noURL = try #require(throws: ConfigurationError.self) {
            try Self.load(
                #"{"q": {"kind": "hubspot", "auth": {"mode": "hubspot", "secret": "s"}, "slug": "x/y"}}"#, server: "{}")
        }
        #expect(noURL.key == "sources.q.kind")
    }
}
