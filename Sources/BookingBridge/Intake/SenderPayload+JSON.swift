extension SenderPayload {
    /// Any JSON: each reference the source uses is a path into the body (`JSONPath`), its value kept under the
    /// path's text. The id is at `idempotencyPath`, when the source names one.
    static func jsonPaths(
        _ body: JSONValue, references: [String], idempotencyPath: String?
    ) throws(IntakeError) -> SenderPayload {
        var fields: [String: String] = [:]
        for reference in references {
            if let text = JSONPath(reference)?.resolve(in: body)?.fieldText { fields[reference] = text }
        }
        let id = idempotencyPath.flatMap { JSONPath($0)?.resolve(in: body)?.fieldText }
        return SenderPayload(fields: fields, senderID: id.map(senderKey))
    }
}
