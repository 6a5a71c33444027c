extension SenderPayload {
    /// A HubSpot workflow's webhook: the enrolled object's `properties` (each `{"value": ...}` or a plain value),
    /// or a flat JSON of chosen properties. Keys are the properties' internal names. The id comes from the
    /// request (`X-HubSpot-Request-Id`, else a digest of the body), see `read`.
    static func hubspot(_ body: JSONValue) throws(IntakeError) -> SenderPayload {
        guard let object = body.objectValue else {
            throw IntakeError(.malformed, "a HubSpot workflow post is a JSON object")
        }
        var fields: [String: String] = [:]
        var count = 0
        func add(_ name: String, _ value: JSONValue) throws(IntakeError) {
            let unwrapped = value["value"] ?? value
            guard let text = unwrapped.fieldText else { return }
            count += 1
            guard count <= FormBody.Builder.maximumFields else {
                throw IntakeError(.invalid, "a submission may have at most \(FormBody.Builder.maximumFields) fields")
            }
            fields[name] = text
        }
        for (name, value) in object.sorted(by: { $0.key < $1.key }) where name != "properties" {
            try add(name, value)
        }
        // The object's properties win over top-level keys of the same name.
        for (name, value) in (object["properties"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            try add(name, value)
        }
        return SenderPayload(fields: fields)
    }
}
