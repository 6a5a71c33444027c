// fuzz-sources: Intake/SubmissionMapper.swift Intake/StartTime.swift Intake/EmailSyntax.swift
// fuzz-sources: Intake/FormBody.swift Intake/FormBody+URLEncoded.swift Intake/FormBody+Multipart.swift
// fuzz-sources: Intake/FormBody+JSON.swift Intake/HeaderValue.swift Intake/IntakeError.swift
// fuzz-sources: Pipeline/BookingRequest.swift Config/SourceConfiguration.swift Config/ConfigurationError.swift
// fuzz-sources: Webhooks/StandardWebhooks.swift Support/ConstantTime.swift Support/ProblemFieldError.swift
// fuzz-sources: Support/StringProtocol+Whitespace.swift Support/Redaction.swift
// fuzz-sources: Intake/JSONPath.swift Intake/JSONValue+Access.swift
// fuzz-sources: Config/BookingPageSettings.swift
// fuzz-sources: Pipeline/FailureReason.swift Intake/LocalDateTime.swift Intake/BookingField.swift Intake/JSONValue.swift
// fuzz-modules: HTTPTypes Crypto
// fuzz-options: -max_len=16384

import Foundation
import HTTPTypes

/// The clock: 2026-01-01T00:00:00Z.
private let now = Date(timeIntervalSince1970: 1_767_225_600)

/// Sources that read the fields in different ways: the default names with defaults for zone and duration; renamed
/// fields with a full name, separate date and time, consents and pass-through fields and no default zone.
private let mappers = [
    SubmissionMapper(
        source: SourceConfiguration(
            auth: .public(allowedOrigins: [], honeypotField: nil), slug: "jane-doe/intro-30", durationMinutes: 30,
            timezone: "Europe/Berlin", locale: "en-us")),
    SubmissionMapper(
        source: SourceConfiguration(
            auth: .token("t"), slug: "team/round-robin",
            fields: [
                "fullName": "name", "date": "day", "time": "slot", "timezone": "tz", "durationMinutes": "length",
                "guestEmails": "guests", "email": "mail",
            ],
            formFields: ["company": "company", "message": "notes"], consent: ["marketing_ok": "1234"])),
]

/// The field mapper (`SubmissionMapper.map`): the input's first byte picks a source, the rest is a urlencoded body
/// read as intake reads it, so that every field name and value can be anything a form can send.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMapper(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzInput.bytes(data, size)
    guard let first = bytes.first, let fields = try? URLEncodedForm.decode(Array(bytes.dropFirst())) else {
        return 0
    }
    let mapper = mappers[Int(first) % mappers.count]
    do {
        let request = try mapper.map(fields, now: now)
        FuzzInput.require(request.startTime > now, "a start in the past: \(request.startTime)")
        FuzzInput.require(
            (1...SubmissionMapper.maximumDurationMinutes).contains(request.durationMinutes),
            "duration \(request.durationMinutes)")
        FuzzInput.require(!request.lastName.isEmpty, "an empty last name")
        FuzzInput.require(request.guestEmails.count <= SubmissionMapper.maximumGuests, "guests \(request.guestEmails)")
    } catch {
        FuzzInput.require(error.status.code / 100 == 4, "status \(error.status.code) for \(error)")
    }
    return 0
}
