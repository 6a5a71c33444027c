import Foundation
import Testing

@testable import BookingBridge

@Suite("Intake's stored JSON")
struct IntakeJSONTests {
    static let samples: [BookingRequest] = [
        BookingRequest(
            slug: "jane-doe/intro-30", startTime: Date(iso: "2026-12-01T09:00:00Z"), durationMinutes: 30,
            email: "ada@example.org", firstName: "Ada", lastName: "-", timezone: "Europe/Berlin"),
        BookingRequest(
            slug: "a/b", startTime: Date(timeIntervalSince1970: 1_796_119_200.123), durationMinutes: 45,
            email: "jürgen@müller.de", firstName: "Jürgen \"J\" \\ Müller", lastName: "O'Brien\n\t\u{1}😀",
            timezone: "America/New_York", locale: "en-us",
            formFields: ["message": "line 1\r\nline 2 </script>", "company": "A/B & C"],
            consents: ["123": true, "45": false], guestEmails: ["b@example.org", "c@example.org"]),
    ]

    @Test(arguments: samples)
    func requestReadsBackAsTheSameValue(_ request: BookingRequest) throws {
        let text = IntentJSON.request(request)
        var decoded = try JSONCoding.decoder.decode(BookingRequest.self, from: Data(text.utf8))
        // Dates keep milliseconds, as with JSONCoding.encoder.
        #expect(abs(decoded.startTime.timeIntervalSince(request.startTime)) < 0.001)
        decoded.startTime = request.startTime
        #expect(decoded == request)
        let viaEncoder = String(decoding: try JSONCoding.encoder.encode(request), as: UTF8.self)
        var reference = try JSONCoding.decoder.decode(BookingRequest.self, from: Data(viaEncoder.utf8))
        reference.startTime = request.startTime
        #expect(reference == decoded)
    }

    @Test func plainRequestMatchesTheEncoderByteForByte() throws {
        let request = Self.samples[0]
        #expect(IntentJSON.request(request) == String(decoding: try JSONCoding.encoder.encode(request), as: UTF8.self))
    }

    @Test func rawSubmission() throws {
        let raw = RawSubmission(contentType: "application/json", fields: ["a\"b": "c\\d", "e": "\u{0}\u{1F}"])
        let decoded = try JSONDecoder().decode(RawSubmission.self, from: Data(IntentJSON.raw(raw).utf8))
        #expect(decoded == raw)
    }

    @Test func dates() {
        #expect(IntentJSON.iso8601(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(
            IntentJSON.iso8601(Date(iso: "2028-02-29T23:59:59Z").addingTimeInterval(0.999))
                == "2028-02-29T23:59:59.999Z")
        #expect(IntentJSON.iso8601(Date(iso: "2000-03-01T12:34:56Z")) == "2000-03-01T12:34:56.000Z")
    }

    @Test func receipt() throws {
        let receipt = IntakeController.Receipt(id: "x", status: "received", statusUrl: "https://b.example/v1/intents/x")
        #expect(receipt.json == String(decoding: try JSONCoding.encoder.encode(receipt), as: UTF8.self))
    }
}
