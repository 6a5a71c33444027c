extension SenderPayload {
    /// Webflow's `form_submission`: `payload.data` (field name → value, numbers as their text); the id is
    /// `payload.id`.
    static func webflow(_ body: JSONValue) throws(IntakeError) -> SenderPayload {
        guard let payload = body["payload"], let data = payload["data"]?.objectValue else {
            throw IntakeError(.malformed, "a Webflow post has a payload.data object")
        }
        var builder = FormBody.Builder()
        for (name, value) in data.sorted(by: { $0.key < $1.key }) {
            if let text = value.fieldText { try builder.add(name, text) }
        }
        return SenderPayload(fields: builder.fields, senderID: payload["id"]?.fieldText.map(senderKey))
    }
}
