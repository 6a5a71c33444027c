import BookingBridge
import Foundation

/// `dev`'s form service sources, one of each kind, and a ready `curl` for each that posts the service's payload
/// with a valid signature (Webflow's and HubSpot's stay valid for 5 minutes; run `dev` again for fresh ones).
struct DevSenders: Sendable {
    /// A fresh secret per run: nothing outside this machine knows it.
    let secret = "dev-" + UUID().uuidString.lowercased()
    static let kinds: [SourceConfiguration.Kind] = [.typeform, .tally, .webflow, .jotform, .hubspot, .json]

    static func name(_ kind: SourceConfiguration.Kind) -> String { "demo-\(kind.rawValue)" }

    /// The source of `kind` on `slug`, 30 minutes, in London time.
    func source(_ kind: SourceConfiguration.Kind, slug: String) -> SourceConfiguration {
        func make(
            _ auth: SourceConfiguration.Auth, _ fields: [String: String], idempotencyPath: String? = nil
        )
            -> SourceConfiguration
        {
            SourceConfiguration(
                kind: kind, auth: auth, slug: slug, durationMinutes: 30, timezone: "Europe/London", fields: fields,
                idempotencyPath: idempotencyPath)
        }
        switch kind {
        case .typeform: return make(.typeform(secret: secret), ["fullName": "name"])
        case .tally:
            return make(.tally(secret: secret), ["email": "Email", "fullName": "Name", "date": "Date", "time": "Time"])
        case .webflow:
            return make(.webflow(secret: secret), ["fullName": "Name", "email": "Email", "startTime": "Start"])
        case .jotform:
            return make(.token(secret), ["firstName": "name.first", "lastName": "name.last", "startTime": "start"])
        case .hubspot:
            return make(
                .hubspot(secret: secret),
                ["firstName": "firstname", "lastName": "lastname", "startTime": "meeting_start"])
        case .json, .form:
            return make(
                .token(secret),
                ["email": "submission.email", "fullName": "submission.name", "startTime": "submission.start"],
                idempotencyPath: "submission.id")
        }
    }

    /// The `curl` that posts a `kind` submission for `start` to the bridge at `base` (`publicURL` is what HubSpot
    /// signs).
    func curl(_ kind: SourceConfiguration.Kind, base: String, publicURL: String, start: Date) -> String {
        var london = Calendar(identifier: .gregorian)
        london.timeZone = TimeZone(identifier: "Europe/London")!
        let c = london.dateComponents([.year, .month, .day, .hour, .minute], from: start)
        let date = String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
        let time = String(format: "%02d:%02d", c.hour!, c.minute!)
        let iso = start.formatted(.iso8601)
        let id = UUID().uuidString.lowercased()
        let path = "/v1/intake/\(Self.name(kind))"
        let body: String
        switch kind {
        case .typeform:
            body =
                #"{"event_id":"\#(id)","event_type":"form_response","form_response":{"token":"\#(id)","answers":[{"type":"email","email":"ada@lovelace.dev","field":{"id":"e1","type":"email","ref":"email"}},{"type":"text","text":"Ada Lovelace","field":{"id":"n1","type":"short_text","ref":"name"}},{"type":"date","date":"\#(date)","field":{"id":"d1","type":"date","ref":"date"}},{"type":"choice","choice":{"label":"\#(time)"},"field":{"id":"t1","type":"multiple_choice","ref":"time"}}]}}"#
        case .tally:
            body =
                #"{"eventId":"\#(id)","eventType":"FORM_RESPONSE","data":{"responseId":"\#(id)","fields":[{"key":"question_e","label":"Email","type":"INPUT_EMAIL","value":"grace@hopper.dev"},{"key":"question_n","label":"Name","type":"INPUT_TEXT","value":"Grace Hopper"},{"key":"question_d","label":"Date","type":"INPUT_DATE","value":"\#(date)"},{"key":"question_t","label":"Time","type":"INPUT_TIME","value":"\#(time)"}]}}"#
        case .webflow:
            body =
                #"{"triggerType":"form_submission","payload":{"id":"\#(id)","name":"Book a call","data":{"Name":"Katherine Johnson","Email":"katherine@johnson.dev","Start":"\#(iso)"}}}"#
        case .jotform:
            let hour12 = c.hour! % 12 == 0 ? 12 : c.hour! % 12
            let raw =
                #"{"q3_name":{"first":"Mary","last":"Jackson"},"q4_email":"mary@jackson.dev","q5_start":{"month":"\#(c.month!)","day":"\#(c.day!)","year":"\#(c.year!)","hour":"\#(hour12)","min":"\#(String(format: "%02d", c.minute!))","ampm":"\#(c.hour! < 12 ? "AM" : "PM")"}}"#
            return """
                curl -s -X POST '\(base)\(path)?token=\(secret)' \\
                     -F 'submissionID=\(id)' -F 'rawRequest=\(raw)'
                """
        case .hubspot:
            let ms = Int64(start.timeIntervalSince1970 * 1000)
            body =
                #"{"properties":{"email":{"value":"dorothy@vaughan.dev"},"firstname":{"value":"Dorothy"},"lastname":{"value":"Vaughan"},"meeting_start":{"value":"\#(ms)"}}}"#
        case .json, .form:
            body = #"{"submission":{"id":"\#(id)","email":"annie@easley.dev","name":"Annie Easley","start":"\#(iso)"}}"#
        }
        var headers = SenderSigning.headers(kind: kind, secret: secret, uri: publicURL + path, body: body)
        if kind == .json { headers.append(("Authorization", "Bearer \(secret)")) }
        let headerText = headers.map { " -H '\($0.0): \($0.1)'" }.joined()
        return """
            curl -s -X POST \(base)\(path) -H 'Content-Type: application/json'\(headerText) \\
                 --data-binary '\(body)'
            """
    }
}
