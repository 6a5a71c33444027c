extension SenderPayload {
    /// Typeform's `form_response`: each answer under its question's `ref` and its field `id`, hidden fields as
    /// `hidden.<name>`; the id is `form_response.token`, else `event_id`.
    static func typeform(_ body: JSONValue) throws(IntakeError) -> SenderPayload {
        guard let response = body["form_response"]?.objectValue else {
            throw IntakeError(.malformed, "a Typeform post has a form_response object")
        }
        var builder = FormBody.Builder()
        for answer in response["answers"]?.arrayValue ?? [] {
            guard let value = typeformValue(answer) else { continue }
            let field = answer["field"]
            let ref = field?["ref"]?.stringValue
            if let ref { try builder.add(ref, value) }
            if let id = field?["id"]?.stringValue, id != ref { try builder.add(id, value) }
        }
        for (name, value) in (response["hidden"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            if let text = value.fieldText { try builder.add("hidden." + name, text) }
        }
        let id = response["token"]?.stringValue ?? body["event_id"]?.stringValue
        return SenderPayload(fields: builder.fields, senderID: id.map(senderKey))
    }

    /// An answer's value by its `type`: the value under the key the type names (text, email, phone_number, url,
    /// number, boolean, date, ...), a choice's label, a multiple choice's labels.
    static func typeformValue(_ answer: JSONValue) -> String? {
        guard let type = answer["type"]?.stringValue else { return nil }
        switch type {
        case "choice":
            return answer["choice"]?["label"]?.stringValue ?? answer["choice"]?["other"]?.stringValue
        case "choices":
            var labels = answer["choices"]?["labels"]?.arrayValue?.compactMap(\.stringValue) ?? []
            if let other = answer["choices"]?["other"]?.stringValue { labels.append(other) }
            return labels.joined(separator: ", ")
        default:
            return answer[type]?.fieldText
        }
    }
}
