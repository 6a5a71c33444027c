import Foundation
import Testing

@testable import BookingBridge

@Suite("Intake field mapping and validation")
struct IntakeMappingTests {
    static let now = try! Date("2026-11-26T08:00:00Z", strategy: .iso8601)

    /// The issue's example source.
    static let website = SourceConfiguration(
        auth: .public(allowedOrigins: ["https://www.example.org"], honeypotField: "company_website"),
        slug: "jane-doe/intro-30", durationMinutes: 30, timezone: "Europe/Berlin", locale: "en-us",
        fields: [
            "email": "email", "firstName": "first_name", "lastName": "last_name", "fullName": "name",
            "startTime": "slot", "date": "date", "time": "time", "timezone": "tz", "durationMinutes": "length",
            "guestEmails": "guests",
        ],
        formFields: ["company": "company", "message": "notes"], consent: ["marketing_ok": "COMMUNICATION_TYPE_ID"],
        redirectUrl: "https://www.example.org/thanks", rateLimitPerMinute: 30)

    func map(_ fields: [String: String], source: SourceConfiguration = website) throws(IntakeError) -> BookingRequest {
        try SubmissionMapper(source: source).map(fields, now: Self.now)
    }

    func errors(_ fields: [String: String], source: SourceConfiguration = website) -> [String: String] {
        do {
            _ = try map(fields, source: source)
            return [:]
        } catch {
            #expect(error.code == .invalid)
            return Dictionary(error.fieldErrors.map { ($0.field, $0.message) }, uniquingKeysWith: { a, _ in a })
        }
    }

    @Test func fullSubmission() throws {
        let request = try map([
            "email": " ada@example.org ", "first_name": "Ada", "last_name": "Lovelace",
            "slot": "2026-12-01T10:00:00+01:00",
            "length": "45", "guests": "b@example.org; c@example.org, B@example.org", "company": "Analytical Engines",
            "notes": "", "marketing_ok": "on", "tz": "Europe/London", "unrelated": "kept only in raw",
        ])
        #expect(request.slug == "jane-doe/intro-30")
        #expect(request.email == "ada@example.org")
        #expect(request.firstName == "Ada")
        #expect(request.lastName == "Lovelace")
        #expect(request.startTime == (try Date("2026-12-01T09:00:00Z", strategy: .iso8601)))
        #expect(request.durationMinutes == 45)
        #expect(request.timezone == "Europe/London")
        #expect(request.locale == "en-us")
        #expect(request.guestEmails == ["b@example.org", "c@example.org"])
        #expect(request.formFields == ["company": "Analytical Engines"])
        #expect(request.consents == ["COMMUNICATION_TYPE_ID": true])
    }

    @Test func fieldsFallBackToBookingFieldNames() throws {
        let source = SourceConfiguration(auth: .token("t"), slug: "s/x", durationMinutes: 30)
        let request = try map(
            ["email": "a@example.org", "firstName": "A", "startTime": "1796119200000", "timezone": "America/Chicago"],
            source: source)
        #expect(request.lastName == "-")
        #expect(request.timezone == "America/Chicago")
        #expect(request.consents.isEmpty)
        #expect(request.startTime == Date(timeIntervalSince1970: 1_796_119_200))
    }

    @Test func fullNameSplits() throws {
        let base = ["email": "a@example.org", "slot": "2026-12-01T10:00:00Z"]
        let two = try map(base.merging(["name": "  Ada   King Lovelace "]) { a, _ in a })
        #expect(two.firstName == "Ada")
        #expect(two.lastName == "King Lovelace")
        let one = try map(base.merging(["name": "Cher"]) { a, _ in a })
        #expect(one.firstName == "Cher")
        #expect(one.lastName == "-")
        let explicitLast = try map(base.merging(["name": "Ada Byron", "last_name": "Lovelace"]) { a, _ in a })
        #expect(explicitLast.firstName == "Ada")
        #expect(explicitLast.lastName == "Lovelace")
        #expect(SubmissionMapper.splitFullName("") == ("", "-"))
    }

    @Test func errorsNameTheFormsOwnFields() {
        let found = errors([
            "email": "not an address", "slot": "next tuesday", "length": "0", "guests": "x@", "tz": "Mars/Olympus",
        ])
        #expect(found["email"] != nil)
        #expect(found["slot"] != nil)
        #expect(found["length"] != nil)
        #expect(found["guests"] != nil)
        #expect(found["tz"] != nil)
        #expect(found["first_name"] == "is required")
        #expect(found["startTime"] == nil)
        #expect(found["durationMinutes"] == nil)
    }

    @Test func requiredValues() {
        let source = SourceConfiguration(auth: .token("t"), slug: "s/x")
        let found = errors([:], source: source)
        #expect(
            found == [
                "email": "is required", "firstName": "is required", "startTime": "is required",
                "durationMinutes": "is required",
            ])
    }

    @Test func startMustBeInTheFutureAndNotTooFar() {
        let base = ["email": "a@example.org", "name": "Ada"]
        #expect(errors(base.merging(["slot": "2026-11-26T07:59:00Z"]) { a, _ in a })["slot"] == "must be in the future")
        #expect(
            errors(base.merging(["slot": "2029-01-01T00:00:00Z"]) { a, _ in a })["slot"]
                == "must be within the next two years")
        #expect(
            errors(base.merging(["date": "2026-11-25", "time": "10:00"]) { a, _ in a })["date"]
                == "must be in the future")
    }

    @Test func dateAndTimeInTheFormsZoneAcrossDaylightSaving() throws {
        let base = ["email": "a@example.org", "name": "Ada"]
        // Berlin's clocks go forward on 28 March 2027 at 02:00 (+01:00 → +02:00).
        let before = try map(base.merging(["date": "2027-03-27", "time": "10:00"]) { a, _ in a })
        let after = try map(base.merging(["date": "2027-03-28", "time": "10:00"]) { a, _ in a })
        #expect(before.startTime == (try Date("2027-03-27T09:00:00Z", strategy: .iso8601)))
        #expect(after.startTime == (try Date("2027-03-28T08:00:00Z", strategy: .iso8601)))
        #expect(after.startTime.timeIntervalSince(before.startTime) == 23 * 3600)
        #expect(after.timezone == "Europe/Berlin")
        // The form's own zone field wins over the source's default.
        let newYork = try map(
            base.merging(["date": "2027-03-28", "time": "10:00", "tz": "America/New_York"]) { a, _ in a })
        #expect(newYork.startTime == (try Date("2027-03-28T14:00:00Z", strategy: .iso8601)))
        #expect(newYork.timezone == "America/New_York")
        // A wall time without offset in the start-time field is read the same way.
        let local = try map(base.merging(["slot": "2027-03-28T10:00"]) { a, _ in a })
        #expect(local.startTime == after.startTime)
    }

    @Test func skippedAndRepeatedWallTimes() throws {
        let base = ["email": "a@example.org", "name": "Ada"]
        let skipped = errors(base.merging(["date": "2027-03-28", "time": "02:30"]) { a, _ in a })
        #expect(skipped["time"]?.contains("does not exist in Europe/Berlin") == true)
        // 31 October 2027 02:30 happens twice in Berlin: the first occurrence (+02:00) is meant.
        let repeated = try map(base.merging(["date": "2027-10-31", "time": "02:30"]) { a, _ in a })
        #expect(repeated.startTime == (try Date("2027-10-31T00:30:00Z", strategy: .iso8601)))
    }

    @Test func dateWithoutTimeAndZoneless() {
        let base = ["email": "a@example.org", "name": "Ada"]
        #expect(errors(base.merging(["date": "2027-01-05"]) { a, _ in a })["time"] != nil)
        #expect(errors(base.merging(["time": "10:00"]) { a, _ in a })["date"] != nil)
        #expect(
            errors(base.merging(["date": "05.01.2027", "time": "10 am"]) { a, _ in a }).keys.sorted() == [
                "date", "time",
            ])
        let noZone = SourceConfiguration(auth: .token("t"), slug: "s/x", durationMinutes: 30)
        let found = errors(
            ["email": "a@example.org", "firstName": "A", "date": "2027-01-05", "time": "10:00"], source: noZone)
        #expect(found["timezone"] != nil)
    }

    @Test func lengthsAndNUL() {
        let base = ["email": "a@example.org", "slot": "2026-12-01T10:00:00Z"]
        #expect(errors(base.merging(["name": String(repeating: "a", count: 201)]) { a, _ in a })["name"] != nil)
        #expect(errors(base.merging(["name": "Ada\u{0}"]) { a, _ in a })["name"] == "must not contain NUL characters")
        #expect(errors(base.merging(["bad\u{0}name": "x"]) { a, _ in a })["bad\u{FFFD}name"] != nil)
        #expect(errors(base.merging(["notes": String(repeating: "x", count: 10_001)]) { a, _ in a })["notes"] != nil)
        let guests = (1...11).map { "g\($0)@example.org" }.joined(separator: ",")
        #expect(errors(base.merging(["name": "Ada", "guests": guests]) { a, _ in a })["guests"] != nil)
    }

    @Test(arguments: [
        ("ada@example.org", true), ("a.b+tag@sub.example.co.uk", true), ("jürgen@müller.de", true), ("x@y.io", true),
        ("", false), ("ada", false), ("ada@", false), ("@example.org", false), ("ada@example", false),
        ("a..b@example.org", false), (".a@example.org", false), ("a b@example.org", false), ("a@-x.org", false),
        ("a@x.1", false), ("a@@example.org", false), ("a@exa mple.org", false),
    ])
    func emailSyntax(_ address: String, _ valid: Bool) {
        #expect(EmailSyntax.isValid(address) == valid)
        #expect(EmailSyntax.isValidUnicode(address) == valid)
    }

    @Test("the ASCII fast path of the e-mail check agrees with the Unicode rules on random addresses")
    func emailSyntaxFastPath() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("aZ09.-_+@!#~ \"[]()x.@-.".utf8) + [0x7F, 0x09]
        var checked = 0
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...24, using: &generator)
            var bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            // Mostly plausible shapes, so both outcomes are common.
            if Bool.random(using: &generator) { bytes += Array("@ex-ample.org".utf8) }
            let address = String(decoding: bytes, as: UTF8.self)
            guard let fast = EmailSyntax.isValidASCII(address) else { continue }
            #expect(fast == EmailSyntax.isValidUnicode(address), "\(address.debugDescription)")
            checked += 1
        }
        #expect(checked == 20_000)
        #expect(EmailSyntax.isValidASCII("jürgen@müller.de") == nil, "not ASCII: the Unicode rules decide")
    }

    @Test func checkboxes() {
        #expect(SubmissionMapper.isChecked("on"))
        #expect(SubmissionMapper.isChecked("agree"))
        #expect(SubmissionMapper.isChecked("false, true"))
        #expect(!SubmissionMapper.isChecked(nil))
        #expect(!SubmissionMapper.isChecked("false"))
        #expect(!SubmissionMapper.isChecked("0"))
        #expect(!SubmissionMapper.isChecked(""))
    }

    @Test func locales() {
        #expect(SubmissionMapper.isLocale("en-us"))
        #expect(SubmissionMapper.isLocale("pt_BR"))
        #expect(!SubmissionMapper.isLocale("english please"))
        #expect(!SubmissionMapper.isLocale("e"))
    }
}
