extension SenderPayload {
    /// Tally's `data.fields`: each value under the field's `label` and its `key`; choice values (option ids) become
    /// the options' texts. The id is `data.responseId`, else `eventId`.
    static func tally(_ body: JSONValue) throws(IntakeError) -> SenderPayload {
        guard let data = body["data"]?.objectValue else {
            throw IntakeError(.malformed, "a Tally post has a data object")
        }
        var builder = FormBody.Builder()
        for field in data["fields"]?.arrayValue ?? [] {
            guard let value = field["value"].flatMap({ tallyValue($0, options: field["options"]?.arrayValue) })
            else { continue }
            let key = field["key"]?.stringValue
            let label = field["label"]?.stringValue
            if let label, !label.isEmpty, builder.fields[label] == nil { try builder.add(label, value) }
            if let key, key != label { try builder.add(key, value) }
        }
        let id = data["responseId"]?.stringValue ?? body["eventId"]?.stringValue
        return SenderPayload(fields: builder.fields, senderID: id.map(senderKey))
    }

    /// A value as text, option ids replaced by the options' texts.
    static func tallyValue(_ value: JSONValue, options: [JSONValue]?) -> String? {
        guard let options, !options.isEmpty else { return value.fieldText }
        func text(_ id: JSONValue) -> String? {
            guard let id = id.stringValue else { return id.fieldText }
            return options.first { $0["id"]?.stringValue == id }?["text"]?.stringValue ?? id
        }
        switch value {
        case .array(let ids): return ids.compactMap(text).joined(separator: ", ")
        case .string: return text(value)
        default: return value.fieldText
        }
    }
}
