import Foundation

extension SenderPayload {
    /// Jotform's post: form fields with `rawRequest`, a JSON text of the answers keyed `qN_name`. Each answer is
    /// kept under its key with and without the `qN_` prefix, sub-fields with a dot (`name.first`); a full name
    /// also as the whole (`name`), a date question as `YYYY-MM-DD` or, with its time parts, as the wall-clock
    /// `YYYY-MM-DDTHH:MM` (read in the source's time zone), a time question as `HH:MM`. The id is `submissionID`.
    static func jotform(_ form: [String: String]) throws(IntakeError) -> SenderPayload {
        var answers: [String: JSONValue] = [:]
        if let raw = form["rawRequest"] {
            let bytes = Array(raw.utf8)
            guard JSONForm.nestingDepth(bytes) <= JSONForm.maximumDepth,
                case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
            else { throw IntakeError(.malformed, "Jotform's rawRequest field is not a JSON object") }
            answers = object
        } else {
            for (name, value) in form where name.hasPrefix("q") { answers[name] = .string(value) }
        }
        var builder = FormBody.Builder()
        for (key, value) in answers.sorted(by: { $0.key < $1.key }) {
            let names = [key, unprefixed(key)].reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            for name in names {
                if let whole = jotformWhole(value) { try builder.add(name, whole) }
                for (part, text) in (value.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
                    if let text = text.fieldText { try builder.add(name + "." + part, text) }
                }
            }
        }
        return SenderPayload(
            fields: builder.fields,
            senderID: (form["submissionID"] ?? answers["submissionID"]?.fieldText).map(senderKey))
    }

    /// `q5_email` → `email`; other keys as they are.
    static func unprefixed(_ key: String) -> String {
        let bytes = Array(key.utf8)
        guard bytes.first == UInt8(ascii: "q"), let underscore = bytes.firstIndex(of: UInt8(ascii: "_")),
            underscore > 1, underscore < bytes.count - 1,
            bytes[1..<underscore].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return key }
        return String(decoding: bytes[(underscore + 1)...], as: UTF8.self)
    }

    /// An answer as one text: plain values as they are, a name `first last`, a date or a time in ISO form.
    static func jotformWhole(_ value: JSONValue) -> String? {
        guard let parts = value.objectValue else { return value.fieldText }
        func part(_ key: String) -> String? { parts[key]?.fieldText.flatMap { $0.isEmpty ? nil : $0 } }
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        func clock(hour: String?, minute: String?, ampm: String?) -> String? {
            guard let hourText = hour, var h = Int(hourText), let m = minute.flatMap(Int.init) else { return nil }
            switch ampm?.uppercased() {
            case "PM": if h < 12 { h += 12 }
            case "AM": if h == 12 { h = 0 }
            default: break
            }
            return two(h) + ":" + two(m)
        }
        if let year = part("year").flatMap(Int.init), let month = part("month").flatMap(Int.init),
            let day = part("day").flatMap(Int.init)
        {
            let date = "\(year)-\(two(month))-\(two(day))"
            if let time = clock(hour: part("hour"), minute: part("min") ?? part("minute"), ampm: part("ampm")) {
                return date + "T" + time
            }
            return date
        }
        if let time = clock(
            hour: part("hourSelect") ?? part("hour"), minute: part("minuteSelect") ?? part("min"), ampm: part("ampm"))
        {
            return time
        }
        if parts["first"] != nil || parts["last"] != nil {
            return [part("prefix"), part("first"), part("middle"), part("last")].compactMap { $0 }.joined(
                separator: " ")
        }
        if let full = part("full") { return full }
        return nil
    }
}
