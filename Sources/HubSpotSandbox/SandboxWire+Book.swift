import Foundation

/// JSON answers of the sandbox, in HubSpot's shapes (see `hubspot-examples/`).
enum SandboxWire {}

extension SandboxWire {
    /// 200 from `POST .../meeting-links/book`.
    struct BookResponse: Sendable, Encodable {
        var bookingTimezone: String
        var calendarEventId: String
        var contactId: String
        var duration: Int64
        var start: String
        var end: String
        var subject: String
        var isOffline: Bool
        var formFields: [BookedFormField]
        var guestEmails: [String]
        var legalConsentResponses: [ConsentResponse]
        var locale: String?
        var location: String?
        var webConferenceMeetingId: String?
        var webConferenceUrl: String?
    }

    struct BookedFormField: Sendable, Encodable {
        var name: String
        var value: String
        var label: String
        var isCustom: Bool
        var fieldType: String
    }

    struct ConsentResponse: Sendable, Encodable {
        var communicationTypeId: String
        var consented: Bool
    }

    /// The answer HubSpot gives for `booking`, made from `request` on `link`.
    static func bookResponse(
        booking: SandboxBooking,
        request: SandboxBookRequest,
        link: SandboxLink
    ) -> BookResponse {
        let zone = request.timezone.flatMap { SandboxZone.valid($0) } ?? link.timeZone
        var answers: [(name: String, value: String)] = [
            ("firstname", request.firstName), ("lastname", request.lastName), ("email", request.email),
        ]
        for field in request.formFields where !answers.contains(where: { $0.name == field.name }) {
            answers.append((field.name, field.value))
        }
        let formFields = answers.map { answer in
            let field = link.formFields.first { $0.name == answer.name }
            return BookedFormField(
                name: answer.name,
                value: answer.value,
                label: field?.label ?? answer.name,
                isCustom: field?.isCustom ?? true,
                fieldType: field?.fieldType ?? "text"
            )
        }
        let conferenceId = booking.isOffline ? nil : "812-555-\(1000 + (Int(booking.id) ?? 0) % 9000)"
        return BookResponse(
            bookingTimezone: zone,
            calendarEventId: booking.calendarEventId,
            contactId: booking.contactId,
            duration: booking.durationMillis,
            start: SandboxTime.format(booking.startMillis),
            end: SandboxTime.format(booking.endMillis),
            subject: link.subject(firstName: request.firstName, lastName: request.lastName),
            isOffline: booking.isOffline,
            formFields: formFields,
            guestEmails: booking.guestEmails,
            legalConsentResponses: request.legalConsentResponses.map {
                ConsentResponse(communicationTypeId: $0.communicationTypeId.value, consented: $0.consented)
            },
            locale: request.locale ?? link.locale,
            location: booking.isOffline ? nil : link.location,
            webConferenceMeetingId: conferenceId,
            webConferenceUrl: conferenceId.map { "https://meet.example.net/\($0)" }
        )
    }
}

/// IANA zone names.
enum SandboxZone {
    /// `name` when it names a zone Foundation knows, else `nil`.
    static func valid(_ name: String) -> String? {
        TimeZone(identifier: name) == nil ? nil : name
    }
}
