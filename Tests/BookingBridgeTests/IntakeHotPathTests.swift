import Foundation
import Testing

@testable import BookingBridge

/// The functions every intake post runs that were rewritten for speed give the same bytes as the references in
/// `Support/IntakeReferenceImplementations.swift`.
@Suite("Intake hot path")
struct IntakeHotPathTests {
    /// What `bench intake` posts (`IntakeBenchmark.body`), plus bodies with escapes, repeats and odd characters.
    static let bodies: [String] = [
        "email=visitor7%40example.org&name=Ada+Lovelace+7&date=2027-01-12&time=09:00&tz=Europe%2FBerlin"
            + "&company=Analytical+Engines+Ltd"
            + "&notes=Hello%2C+I+would+like+to+talk+about+the+difference+engine+and+a+possible+pilot."
            + "&marketing_ok=on&company_website=",
        "a=1&a=2&b&=x&c=%C3%BC+%E2%82%AC&d=%20%09padded%20&e=plain&f=&f=y",
        "emoji=%F0%9F%98%80&quote=%22%5C&nl=line%0D%0Aline&ctl=%01",
    ]

    static let requests: [BookingRequest] =
        IntakeJSONTests.samples + [
            BookingRequest(
                slug: "x", startTime: Date(timeIntervalSince1970: -62_135_596_800.5), durationMinutes: 1_440,
                email: "", firstName: "\u{7F}\u{1F}", lastName: "\u{0}", timezone: "UTC", locale: "",
                formFields: ["": "", "b": "\u{1B}[0m"], consents: ["z": false, "a": true]),
            BookingRequest(
                slug: "y", startTime: Date(timeIntervalSince1970: 253_402_300_799.999), durationMinutes: -3,
                email: "e@x.org", firstName: "F", lastName: "L", timezone: "Pacific/Kiritimati"),
        ]

    @Test func intentJSONMatchesTheStringWriter() throws {
        for request in Self.requests {
            #expect(IntentJSON.request(request) == StringIntentJSON.request(request))
        }
        for body in Self.bodies {
            let raw = RawSubmission(
                contentType: "application/x-www-form-urlencoded", fields: try URLEncodedForm.decode(Array(body.utf8)))
            #expect(IntentJSON.raw(raw) == StringIntentJSON.raw(raw))
        }
        for seconds in [0, 1, 59.999, 86_399.5, 951_782_400, 1_796_119_200.123, -1, -86_400.25] {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(IntentJSON.iso8601(date) == StringIntentJSON.iso8601(date))
        }
        var viaBytes = ""
        var viaString = ""
        IntentJSON.appendString("a\"b\\c\u{0}\u{1F}é", to: &viaBytes)
        StringIntentJSON.appendString("a\"b\\c\u{0}\u{1F}é", to: &viaString)
        #expect(viaBytes == viaString)
    }

    @Test func formDecodingMatchesTheCopyingDecoder() throws {
        for body in Self.bodies {
            #expect(try URLEncodedForm.decode(Array(body.utf8)) == copyingURLEncodedDecode(Array(body.utf8)))
        }
        #expect(throws: IntakeError.self) { try URLEncodedForm.decode(Array("a=%ff".utf8)) }
        #expect(throws: IntakeError.self) { try URLEncodedForm.decode(Array("a=%4".utf8)) }
    }

    @Test func trimmingMatchesTheScalarTrim() {
        let samples = [
            "", " ", "a", " a ", "\ta\n", "plain text", "\u{A0}x\u{A0}", "x\u{2003}", "\u{85}y", "é", " é ",
            "\r\n", "a b", "\u{0}a\u{0}",
        ]
        for sample in samples {
            #expect(sample.trimmingWhitespace() == scalarTrimmingWhitespace(sample), "\(sample.debugDescription)")
            #expect(sample[...].trimmingWhitespace() == scalarTrimmingWhitespace(sample))
        }
    }

    @Test func receiptsMatchTheFormattedOnes() {
        for count in [1, 16, 32, 64] {
            let key = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37) }
            let id = UUID.random()
            #expect(VisitorReceipt.make(id: id, key: key) == FormattedVisitorReceipt.make(id: id, key: key))
        }
    }
}

/// Old and new figures of each rewritten hot function, in nanoseconds per call (`MICRO_BENCH=1 swift test -c
/// release --filter IntakeMicroBenchmarks`). Prints figures; asserts nothing about them.
@Suite(
    "Intake micro-benchmarks", .serialized,
    .enabled(if: ProcessInfo.processInfo.environment["MICRO_BENCH"] != nil))
struct IntakeMicroBenchmarks {
    static let iterations = Int(ProcessInfo.processInfo.environment["MICRO_BENCH_COUNT"] ?? "") ?? 20_000

    /// Best of three runs of `iterations` calls, in nanoseconds per call; `sink` keeps the results alive.
    static func nanoseconds(_ body: () throws -> Int) rethrows -> (Double, Int) {
        var best = Double.infinity
        var sink = 0
        for _ in 0..<3 {
            let start = ContinuousClock.now
            for _ in 0..<iterations { sink &+= try body() }
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            best = min(best, seconds * 1e9 / Double(iterations))
        }
        return (best, sink)
    }

    static func compare(_ name: String, old: () throws -> Int, new: () throws -> Int) rethrows {
        let (before, a) = try nanoseconds(old)
        let (after, b) = try nanoseconds(new)
        print(
            "MICRO \(name): old \(String(format: "%.0f", before)) ns, new \(String(format: "%.0f", after)) ns"
                + " (\(String(format: "%.2f", after / before))x; checksums \(a) \(b))")
    }

    @Test func visitorReceipt() {
        let key = Array(repeating: UInt8(7), count: 32)
        let id = UUID.random()
        Self.compare(
            "VisitorReceipt.make", old: { FormattedVisitorReceipt.make(id: id, key: key).utf8.count },
            new: { VisitorReceipt.make(id: id, key: key).utf8.count })
    }

    @Test func uuidText() {
        let id = UUID.random()
        Self.compare(
            "UUID lowercase text", old: { id.uuidString.lowercased().utf8.count },
            new: { id.lowercasedString.utf8.count })
    }

    @Test func formDecode() throws {
        let body = Array(IntakeHotPathTests.bodies[0].utf8)
        try Self.compare(
            "URLEncodedForm.decode", old: { try copyingURLEncodedDecode(body).count },
            new: { try URLEncodedForm.decode(body).count })
    }

    @Test func intentJSON() throws {
        let fields = try URLEncodedForm.decode(Array(IntakeHotPathTests.bodies[0].utf8))
        let raw = RawSubmission(contentType: "application/x-www-form-urlencoded", fields: fields)
        let request = IntakeHotPathTests.requests[0]
        Self.compare(
            "IntentJSON.request", old: { StringIntentJSON.request(request).utf8.count },
            new: { IntentJSON.request(request).utf8.count })
        Self.compare(
            "IntentJSON.raw", old: { StringIntentJSON.raw(raw).utf8.count }, new: { IntentJSON.raw(raw).utf8.count })
    }

    @Test func trimming() {
        let values = ["Ada Lovelace 7", "visitor7@example.org", "Europe/Berlin", "on", ""]
        Self.compare(
            "trimmingWhitespace (5 values)", old: { values.reduce(0) { $0 + scalarTrimmingWhitespace($1).utf8.count } },
            new: { values.reduce(0) { $0 + $1.trimmingWhitespace().utf8.count } })
    }
}
