import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing

@testable import BookingBridge

/// A small deterministic generator (SplitMix64), so that a failing case can be replayed from its seed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// One generated request.
struct FuzzCase: Sendable {
    var source: String
    var contentType: String?
    var headers: HTTPFields
    var body: [UInt8]
}

enum IntakeFuzz {
    static let contentTypes: [String?] = [
        "application/json", "application/json; charset=utf-8", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=b", "multipart/form-data", "text/plain", "", "application/json; charset=latin1",
        "multipart/form-data; boundary=\"", "application/vnd.x+json", "*/*", ";;;", nil,
        "application/x-www-form-urlencoded; charset=utf-16",
    ]
    static let nasties = [
        "\u{0}", "%00", "\\u0000", "\u{FFFF}", "😀", "\r\n", "\"", "'; DROP TABLE intents; --", "%", "%E2%82", "\\", "{",
        "=", "&",
    ]
    static let values = [
        "ada@example.org", "not-an-email", "", "2026-12-01T10:00:00Z", "1796119200000", "2027-03-28", "02:30", "10:00",
        "Europe/Berlin", "Mars/Base", "30", "-1", "99999999999999999999", "Ada Lovelace", "on", "true", "null",
        String(repeating: "x", count: 300), String(repeating: "y", count: 12_000),
    ]
    static let fieldNames = [
        "email", "name", "first_name", "last_name", "slot", "date", "time", "tz", "length", "guests", "company",
        "notes",
        "marketing_ok", "company_website", "firstName", "startTime", "start", "timezone", "durationMinutes",
    ]

    static func make(_ rng: inout SeededGenerator) -> FuzzCase {
        let source = [
            "website", "website", "website", "website", "partner", "partner", "partner", "typeform", "typeform",
            "website", "partner", "tiny-missing", "", "..%2F",
        ].randomElement(using: &rng)!
        var fields: [(String, String)] = []
        for _ in 0..<Int.random(in: 0...4, using: &rng) {
            var value = values.randomElement(using: &rng)!
            if Int.random(in: 0..<4, using: &rng) == 0 { value += nasties.randomElement(using: &rng)! }
            var name = fieldNames.randomElement(using: &rng)!
            if Int.random(in: 0..<10, using: &rng) == 0 { name += nasties.randomElement(using: &rng)! }
            fields.append((name, value))
        }
        // Many cases start from a valid submission, so that mutations reach the later stages.
        if Int.random(in: 0..<3, using: &rng) > 0 {
            fields += [
                ("email", "ada@example.org"), ("name", "Ada"), ("firstName", "Ada"), ("slot", "2026-12-01T10:00:00Z"),
                ("startTime", "2026-12-01T10:00:00Z"), ("start", "2026-12-01T10:00:00Z"),
            ]
            fields.shuffle(using: &rng)
        }
        var contentType = contentTypes.randomElement(using: &rng)!
        var body = encode(fields, as: contentType, rng: &rng)
        switch Int.random(in: 0..<16, using: &rng) {
        case 0: body = Array(body.prefix(Int.random(in: 0...max(0, body.count), using: &rng)))
        case 1: body = (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        case 2 where !body.isEmpty:
            for _ in 0..<Int.random(in: 1...5, using: &rng) {
                body[Int.random(in: 0..<body.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
        case 3: body = Array(String(repeating: "[", count: 5000).utf8)
        case 4: body += Array(repeating: UInt8(ascii: " "), count: 70 * 1024)
        case 5: body.insert(contentsOf: [0xC3, 0x28, 0x00], at: Int.random(in: 0...body.count, using: &rng))
        case 6:
            contentType = ["application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=b"]
                .randomElement(using: &rng)!
        default: break
        }
        var headers: HTTPFields = [:]
        switch Int.random(in: 0..<5, using: &rng) {
        case 0: break
        case 1: headers[.origin] = "https://evil.example"
        default: headers[.origin] = "https://www.example.org"
        }
        if Int.random(in: 0..<8, using: &rng) > 0 {
            headers[.authorization] =
                Int.random(in: 0..<4, using: &rng) > 0
                ? "Bearer partner-token" : "Bearer \(Int.random(in: 0...9, using: &rng))"
        }
        if Int.random(in: 0..<4, using: &rng) == 0 {
            headers[.idempotencyKey] = [
                "k1", "k2", "", String(repeating: "k", count: 300), "ü", "k\(Int.random(in: 0...50, using: &rng))",
            ].randomElement(using: &rng)!
        }
        if Int.random(in: 0..<4, using: &rng) == 0 {
            headers[.accept] = ["text/html", "application/json", "*/*", "text/html;q=abc", ",,;"].randomElement(
                using: &rng)!
        }
        if source == "typeform" || Int.random(in: 0..<10, using: &rng) == 0 {
            let id = "msg_\(Int.random(in: 0...40, using: &rng))"
            var t = Int64(TestIntakeApp.now.timeIntervalSince1970)
            if Int.random(in: 0..<5, using: &rng) == 0 { t -= Int64.random(in: -1000...1000, using: &rng) }
            headers[.webhookID] = id
            headers[.webhookTimestamp] = Int.random(in: 0..<20, using: &rng) == 0 ? "soon" : String(t)
            headers[.webhookSignature] =
                Int.random(in: 0..<4, using: &rng) == 0
                ? "v1,AAAA v2,zzz"
                : StandardWebhooks.signatureHeader(
                    id: id, timestamp: t, body: body, secrets: [TestIntakeApp.hmacSecret])
        }
        if Int.random(in: 0..<20, using: &rng) == 0 {
            headers[.contentLength] = String(Int.random(in: 0...200_000, using: &rng))
        }
        return FuzzCase(source: source, contentType: contentType, headers: headers, body: body)
    }

    static func encode(_ fields: [(String, String)], as contentType: String?, rng: inout SeededGenerator) -> [UInt8] {
        switch contentType {
        case let type? where type.contains("json"):
            let members = fields.map { name, value in
                let quoted = { (s: String) in
                    "\""
                        + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                        .replacingOccurrences(of: "\u{0}", with: "\\u0000").replacingOccurrences(
                            of: "\r\n", with: "\\r\\n") + "\""
                }
                return quoted(name) + ":" + (Bool.random(using: &rng) || Int(value) == nil ? quoted(value) : value)
            }
            return Array(("{" + members.joined(separator: ",") + "}").utf8)
        case let type? where type.hasPrefix("multipart"):
            var text = ""
            for (name, value) in fields {
                text += "--b\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
            }
            return Array((text + "--b--\r\n").utf8)
        default:
            let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
            return Array(
                fields.map { name, value in
                    (name.addingPercentEncoding(withAllowedCharacters: allowed) ?? "") + "="
                        + (Bool.random(using: &rng)
                            ? value : (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""))
                }.joined(separator: "&").utf8)
        }
    }
}

@Suite("Intake fuzzing")
struct IntakeFuzzTests {
    @Test func randomAndMalformedRequestsGetOnly4xxOrSuccessAndLeaveNoPartialRows() async throws {
        var small = TestIntakeApp.roomySettings
        small.maxBodyBytes = 64 * 1024
        try await TestIntakeApp.run(settings: small) { app in
            var rng = SeededGenerator(state: 20_261_126)
            let cases = (0..<3000).map { _ in IntakeFuzz.make(&rng) }
            let results = try await withThrowingTaskGroup(of: [(Int, UInt, String?, Bool)].self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        var out: [(Int, UInt, String?, Bool)] = []
                        for index in stride(from: worker, to: cases.count, by: 8) {
                            let c = cases[index]
                            var headers = c.headers
                            if let type = c.contentType { headers[.contentType] = type }
                            let r = try await app.client.execute(
                                uri: "/v1/intake/\(c.source)", method: .post, headers: headers,
                                body: ByteBuffer(bytes: c.body))
                            var id = r.json["id"] as? String
                            if r.status == .seeOther, let location = r.headers[.location],
                                let range = location.range(of: "intent=")
                            {
                                id = String(location[range.upperBound...])
                            }
                            let problem = r.status.code >= 400 ? r.isProblem : true
                            out.append((index, UInt(r.status.code), id, problem))
                        }
                        return out
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            var byStatus: [UInt: Int] = [:]
            for (index, status, _, problem) in results {
                byStatus[status, default: 0] += 1
                #expect(
                    [200, 202, 303].contains(status) || (400..<500).contains(status), "case \(index) got \(status)")
                #expect(problem, "case \(index): a \(status) without a problem+json body")
            }
            let successIDs = Set(results.filter { [200, 202, 303].contains($0.1) }.compactMap(\.2))
            var stored = Set<String>()
            for try await (id, ) in try await app.database.client.query(
                "SELECT id FROM intents", logger: app.database.logger
            ).decode((UUID,).self) {
                stored.insert(id.uuidString.lowercased())
            }
            #expect(stored == successIDs, "every row belongs to an answered success, and every success has its row")
            #expect(results.filter { $0.1 == 202 }.count <= stored.count)
            // The mix must exercise both sides.
            #expect(stored.count > 50)
            #expect(byStatus.filter { (400..<500).contains($0.key) }.values.reduce(0, +) > 1000)
            print(
                "intake fuzz: \(results.count) requests by status \(byStatus.sorted { $0.key < $1.key }), \(stored.count) intents"
            )
        }
    }
}
