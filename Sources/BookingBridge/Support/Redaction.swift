import Foundation

/// How values that hold secrets describe themselves: through a mirror whose secret fields are masked.
///
/// A secret must not reach a log line or printed output however its holder gets there: `"\(value)"`,
/// `String(reflecting:)`, `dump`, or swift-service-lifecycle printing a service (with all its properties) at debug
/// level. So each type that holds one conforms to `CustomReflectable` with the secret replaced by `masked`, and its
/// descriptions are built from that mirror; a type that contains such a type is then safe without doing anything.
enum Redaction {
    /// What a set secret shows as.
    static let masked = "***"

    /// `masked` for a set secret, `nil` for an unset one.
    static func mask(_ secret: String?) -> String? { secret.map { _ in masked } }

    /// `Type(label: value, ...)` from `value`'s (redacting) mirror, as Swift prints a struct.
    static func text(of value: some CustomReflectable) -> String {
        let fields = value.customMirror.children.map { child in
            "\(child.label ?? "_"): \(String(reflecting: child.value))"
        }
        return "\(type(of: value))(\(fields.joined(separator: ", ")))"
    }

    /// The URL with the password of its user info and the values of its secret query parameters masked.
    ///
    /// User info ends at the last `@` (a password may contain `@`, `?` or `/` when not percent-encoded), so an
    /// unusual URL is masked too much rather than too little. Query parameters whose name contains `password`,
    /// `secret` or `token` (`password=`, `sslpassword=`) are masked wherever they are.
    static func url(_ url: String) -> String {
        var text = url
        if let scheme = text.range(of: "://"), let at = text.lastIndex(of: "@"), at > scheme.upperBound {
            let credentials = text[scheme.upperBound..<at]
            if let colon = credentials.firstIndex(of: ":") {
                text = String(text[..<text.index(after: colon)]) + masked + String(text[at...])
            }
        }
        return maskingSecretParameters(text)
    }

    /// `text` with the value of every `name=value` pair after a `?` or `&` masked when the name is a secret's.
    private static func maskingSecretParameters(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let separator = rest.firstIndex(where: { $0 == "?" || $0 == "&" }) {
            out += rest[...separator]
            rest = rest[rest.index(after: separator)...]
            guard let equals = rest.firstIndex(of: "=") else { continue }
            let name = rest[..<equals]
            guard !name.contains(where: { $0 == "?" || $0 == "&" }), isSecretParameter(name) else { continue }
            out += rest[...equals] + masked
            let end = rest[equals...].firstIndex(where: { $0 == "&" || $0 == "#" }) ?? rest.endIndex
            rest = rest[end...]
        }
        return out + rest
    }

    private static func isSecretParameter(_ name: Substring) -> Bool {
        let lowered = name.lowercased()
        return ["password", "secret", "token"].contains { lowered.contains($0) }
    }
}
