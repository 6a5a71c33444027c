import Foundation

/// Reads a JSON object body into fields: strings as they are, numbers and booleans as their text, `null` as
/// absent, a list of plain values joined with `", "`, and anything nested kept as compact JSON text.
enum JSONForm {
    /// Deeper nesting than any form needs; checked before decoding so that hostile bodies cost little.
    static let maximumDepth = 16

    static func decode(_ body: [UInt8]) throws(IntakeError) -> [String: String] {
        guard nestingDepth(body) <= maximumDepth else {
            throw IntakeError(.malformed, "the JSON body is nested more than \(maximumDepth) levels deep")
        }
        let object: [String: JSONValue]
        do {
            object = try JSONDecoder().decode([String: JSONValue].self, from: Data(body))
        } catch {
            throw IntakeError(.malformed, "the body is not a JSON object in UTF-8")
        }
        var builder = FormBody.Builder()
        for name in object.keys.sorted() {
            guard let text = object[name]?.fieldText else { continue }
            try builder.add(name, text)
        }
        return builder.fields
    }

    /// The deepest `[`/`{` nesting outside strings (a malformed body may give any number; decoding rejects it).
    static func nestingDepth(_ body: [UInt8]) -> Int {
        var depth = 0
        var deepest = 0
        var inString = false
        var escaped = false
        for byte in body {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return deepest
    }
}
