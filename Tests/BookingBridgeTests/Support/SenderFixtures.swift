import Crypto
import Foundation
import HubSpotSandbox
import Testing

@testable import BookingBridge

/// One form service as the tests post it: its committed example payload (`Fixtures/senders/<kind>.json`), a
/// source that reads it, and the request the service would send, signed here with swift-crypto's HMAC directly
/// (never with the code under test).
struct SenderFixture: Sendable, CustomTestStringConvertible {
    var kind: SourceConfiguration.Kind
    /// The sender's own submission id as it appears in the fixture (replaced to make another submission).
    var senderID: String?
    /// The source's reference of the e-mail field, which a rejected submission's problem names.
    var emailReference: String

    var testDescription: String { kind.rawValue }

    static let all: [SenderFixture] = [
        .init(kind: .typeform, senderID: "tf-01kb7q3w2v8zj4m5n6p7r8s9t0", emailReference: "email"),
        .init(kind: .tally, senderID: "2wgx4n", emailReference: "Email"),
        .init(kind: .webflow, senderID: "6321ca84df3949bfc6752327", emailReference: "Email"),
        .init(kind: .jotform, senderID: "6098716423715683921", emailReference: "email"),
        .init(kind: .hubspot, senderID: nil, emailReference: "email"),
        .init(
            kind: .json, senderID: "fo-8e1b2c3d-4f5a-6b7c-8d9e-0f1a2b3c4d5e",
            emailReference: "submission.questions[name=Email].value"),
    ]

    static let secret = "sender-secret-0123456789"
    static let token = "sender-token-0123456789"
    static let publicURL = "https://bridge.lovelace.dev"
    /// The fixtures' start: 2026-12-03 10:00 in Berlin.
    static let fixtureStart = Date(timeIntervalSince1970: 1_796_288_400)
    static let zone = "Europe/Berlin"

    var sourceName: String { kind.rawValue }

    /// The source for this fixture, on `slug`, 30 minutes, in Berlin time.
    func source(slug: String = SandboxSeeds.personalLinkSlug) -> SourceConfiguration {
        let news = SandboxSeeds.optionalConsentTypeId
        switch kind {
        case .typeform:
            return SourceConfiguration(
                kind: .typeform, auth: .typeform(secret: Self.secret), slug: slug, durationMinutes: 30,
                timezone: Self.zone,
                fields: [
                    "firstName": "first_name", "lastName": "last_name", "date": "meeting_date", "time": "meeting_time",
                ], formFields: ["company": "company"], consent: ["product_news": news])
        case .tally:
            return SourceConfiguration(
                kind: .tally, auth: .tally(secret: Self.secret), slug: slug, durationMinutes: 30, timezone: Self.zone,
                fields: [
                    "email": "Email", "firstName": "First name", "lastName": "Last name", "date": "Date",
                    "time": "Time",
                ], formFields: ["company": "Company"], consent: ["May we send you product news?": news])
        case .webflow:
            return SourceConfiguration(
                kind: .webflow, auth: .webflow(secret: Self.secret), slug: slug, durationMinutes: 30,
                timezone: Self.zone, fields: ["fullName": "Name", "email": "Email", "startTime": "Start"],
                formFields: ["company": "Company"], consent: ["News": news])
        case .jotform:
            return SourceConfiguration(
                kind: .jotform, auth: .token(Self.token), slug: slug, durationMinutes: 30, timezone: Self.zone,
                fields: ["firstName": "name.first", "lastName": "name.last", "startTime": "meetingTime"],
                formFields: ["company": "q6_company"], consent: ["productNews": news])
        case .hubspot:
            return SourceConfiguration(
                kind: .hubspot, auth: .hubspot(secret: Self.secret), slug: slug, durationMinutes: 30,
                timezone: Self.zone,
                fields: [
                    "firstName": "firstname", "lastName": "lastname", "date": "meeting_date", "time": "meeting_time",
                ],
                formFields: ["company": "company"], consent: ["product_news": news])
        case .json:
            return SourceConfiguration(
                kind: .json, auth: .token(Self.token), slug: slug, durationMinutes: 30, timezone: Self.zone,
                fields: [
                    "email": "submission.questions[name=Email].value",
                    "fullName": "submission.questions[name=Full name].value",
                    "startTime": "submission.questions[name=Start].value",
                ], formFields: ["company": "submission.questions[name=Company].value"],
                consent: ["submission.questions[name=Product news].value": news],
                idempotencyPath: "submission.submissionId")
        case .form:
            fatalError("no fixture for form")
        }
    }

    /// The fixture's text as committed.
    var text: String {
        // This file is in Support/; the fixtures are beside it, in the test target's Fixtures/.
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/senders/\(kind.rawValue).json")
        return try! String(contentsOf: url, encoding: .utf8)
    }

    /// The fixture moved to another start (`start`, read in Berlin time as the source does).
    func retimed(_ text: String, to start: Date) -> String {
        var berlin = Calendar(identifier: .gregorian)
        berlin.timeZone = TimeZone(identifier: Self.zone)!
        let c = berlin.dateComponents([.year, .month, .day, .hour, .minute], from: start)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let date = "\(c.year!)-\(two(c.month!))-\(two(c.day!))"
        let time = "\(two(c.hour!)):\(two(c.minute!))"
        let iso = start.formatted(.iso8601)
        switch kind {
        case .typeform, .tally:
            return text.replacingOccurrences(of: "2026-12-03", with: date)
                .replacingOccurrences(of: "\"10:00\"", with: "\"\(time)\"")
        case .webflow, .json:
            return text.replacingOccurrences(of: "2026-12-03T10:00:00+01:00", with: iso)
        case .jotform:
            let hour12 = c.hour! % 12 == 0 ? 12 : c.hour! % 12
            let parts =
                "\\\"month\\\":\\\"\(two(c.month!))\\\",\\\"day\\\":\\\"\(two(c.day!))\\\",\\\"year\\\":\\\"\(c.year!)\\\",\\\"hour\\\":\\\"\(two(hour12))\\\",\\\"min\\\":\\\"\(two(c.minute!))\\\",\\\"ampm\\\":\\\"\(c.hour! < 12 ? "AM" : "PM")\\\""
            return text.replacingOccurrences(
                of:
                    #"\"month\":\"12\",\"day\":\"03\",\"year\":\"2026\",\"hour\":\"10\",\"min\":\"00\",\"ampm\":\"AM\""#,
                with: parts)
        case .hubspot:
            let midnight = Int64(LocalDateTime.daysFromCivil(year: c.year!, month: c.month!, day: c.day!)) * 86_400_000
            return text.replacingOccurrences(of: "1796256000000", with: "\(midnight)")
                .replacingOccurrences(of: "\"10:00\"", with: "\"\(time)\"")
        case .form:
            return text
        }
    }

    /// Another submission of the same form: a new sender id and, when `email` is given, another e-mail.
    func variant(_ text: String, id: String, email: String? = nil) -> String {
        var out = text
        if let senderID { out = out.replacingOccurrences(of: senderID, with: id) }
        if let email { out = out.replacingOccurrences(of: "ada@lovelace.dev", with: email) }
        return out
    }

    /// A request as the service sends it.
    struct Request {
        var path: String
        var contentType: String
        var headers: [(String, String)]
        var body: [UInt8]
    }

    enum Signing { case valid, wrong, stale }

    /// The request for `text` (the fixture's JSON), signed as the service signs it at `now`.
    func request(_ text: String, now: Date, signing: Signing = .valid) -> Request {
        let key = SymmetricKey(data: Array((signing == .wrong ? "another-secret" : Self.secret).utf8))
        let millis = Int64((now.timeIntervalSince1970 - (signing == .stale ? 360 : 0)) * 1000)
        let path = "/v1/intake/\(sourceName)"
        let body = Array(text.utf8)
        func base64(_ material: [UInt8]) -> String {
            Data(HMAC<SHA256>.authenticationCode(for: material, using: key)).base64EncodedString()
        }
        let token = signing == .wrong ? "not-the-token" : Self.token
        switch kind {
        case .typeform:
            return Request(
                path: path, contentType: "application/json",
                headers: [("Typeform-Signature", "sha256=" + base64(body))],
                body: body)
        case .tally:
            return Request(
                path: path, contentType: "application/json", headers: [("Tally-Signature", base64(body))], body: body)
        case .webflow:
            let mac = HMAC<SHA256>.authenticationCode(for: Array("\(millis):".utf8) + body, using: key)
            let hex = mac.map { String(format: "%02x", $0) }.joined()
            return Request(
                path: path, contentType: "application/json",
                headers: [("x-webflow-timestamp", "\(millis)"), ("x-webflow-signature", hex)], body: body)
        case .hubspot:
            let material = Array("POST\(Self.publicURL)\(path)".utf8) + body + Array("\(millis)".utf8)
            return Request(
                path: path, contentType: "application/json",
                headers: [("X-HubSpot-Request-Timestamp", "\(millis)"), ("X-HubSpot-Signature-v3", base64(material))],
                body: body)
        case .jotform:
            let fields = try! JSONSerialization.jsonObject(with: Data(body)) as! [String: String]
            let boundary = "----jotform\(abs(text.hashValue))"
            var multipart = ""
            for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
                multipart += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
            }
            multipart += "--\(boundary)--\r\n"
            return Request(
                path: path + "?token=\(token)", contentType: "multipart/form-data; boundary=\(boundary)", headers: [],
                body: Array(multipart.utf8))
        case .json:
            return Request(
                path: path, contentType: "application/json", headers: [("Authorization", "Bearer \(token)")],
                body: body)
        case .form:
            fatalError("no fixture for form")
        }
    }
}
