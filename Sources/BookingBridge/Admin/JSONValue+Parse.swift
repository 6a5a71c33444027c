import Foundation

extension JSONValue {
    /// The value of JSON text; `nil` when it is not JSON.
    static func parse(_ text: String) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }
}
