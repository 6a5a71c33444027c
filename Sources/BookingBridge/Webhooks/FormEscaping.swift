import Foundation
import Mustache

/// Percent-encodes a value for `application/x-www-form-urlencoded`.
struct FormEscaping: MustacheContentType {
    func escapeText(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._*")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
