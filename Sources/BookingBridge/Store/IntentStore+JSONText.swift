import Foundation

/// The JSON text of what intake stores, written directly instead of through `JSONEncoder` (which costs more than
/// the rest of an intake request together). The output reads back with `JSONCoding.decoder` as the same values:
/// sorted keys, unescaped slashes, dates as ISO 8601 UTC with milliseconds, `nil` optionals left out.
///
/// Everything is appended as UTF-8 bytes to one buffer reserved up front (`JSONBytes`), made into a `String` once.
enum IntentJSON {
    static func request(_ r: BookingRequest) -> String {
        var out = JSONBytes(capacity: 256 + r.email.utf8.count + r.firstName.utf8.count + r.lastName.utf8.count)
        out.append("{\"consents\":{")
        var first = true
        for key in r.consents.keys.sorted() {
            if !first { out.append(",") }
            first = false
            out.appendString(key)
            out.append(r.consents[key]! ? ":true" : ":false")
        }
        out.append("},\"durationMinutes\":")
        out.appendInteger(r.durationMinutes)
        out.append(",\"email\":")
        out.appendString(r.email)
        out.append(",\"firstName\":")
        out.appendString(r.firstName)
        out.append(",\"formFields\":")
        out.appendObject(r.formFields)
        out.append(",\"guestEmails\":[")
        for (index, guest) in r.guestEmails.enumerated() {
            if index > 0 { out.append(",") }
            out.appendString(guest)
        }
        out.append("],\"lastName\":")
        out.appendString(r.lastName)
        if let locale = r.locale {
            out.append(",\"locale\":")
            out.appendString(locale)
        }
        out.append(",\"slug\":")
        out.appendString(r.slug)
        out.append(",\"startTime\":\"")
        out.appendISO8601(r.startTime)
        out.append("\",\"timezone\":")
        out.appendString(r.timezone)
        out.append("}")
        return out.string
    }

    static func raw(_ raw: RawSubmission) -> String {
        var out = JSONBytes(capacity: 64 + raw.fields.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count + 6 })
        out.append("{\"contentType\":")
        out.appendString(raw.contentType)
        out.append(",\"fields\":")
        out.appendObject(raw.fields)
        out.append("}")
        return out.string
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped, everything else as it is.
    static func appendString(_ text: String, to out: inout String) {
        var bytes = JSONBytes(capacity: text.utf8.count + 2)
        bytes.appendString(text)
        out += bytes.string
    }

    /// `2026-12-01T09:00:00.000Z` (milliseconds rounded down).
    static func iso8601(_ date: Date) -> String {
        var out = JSONBytes(capacity: 24)
        out.appendISO8601(date)
        return out.string
    }
}
