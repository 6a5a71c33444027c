/// A header value of the form `main; name=value; name="quoted value"` (Content-Type, Content-Disposition), split
/// into its lower-cased main part and parameters (names lower-cased, values as sent, quotes and escapes removed).
struct HeaderValue: Sendable, Equatable {
    var value: String
    var parameters: [String: String]

    /// `nil` when the text does not have that shape (an unterminated quote, a parameter without `=`).
    init?(parsing text: some StringProtocol) {
        var scalars = Substring(text).unicodeScalars[...]
        func skipSpaces() {
            while let c = scalars.first, c == " " || c == "\t" { scalars.removeFirst() }
        }
        func token() -> String {
            var out = String.UnicodeScalarView()
            while let c = scalars.first, c != ";", c != "=", c != " ", c != "\t", c != "\"" {
                out.append(c)
                scalars.removeFirst()
            }
            return String(out)
        }
        skipSpaces()
        var main = String.UnicodeScalarView()
        while let c = scalars.first, c != ";" {
            main.append(c)
            scalars.removeFirst()
        }
        value = String(main).trimmingWhitespace().lowercased()
        parameters = [:]
        while scalars.first == ";" {
            scalars.removeFirst()
            skipSpaces()
            if scalars.isEmpty { break }
            if scalars.first == ";" { continue }
            let name = token().lowercased()
            skipSpaces()
            guard !name.isEmpty, scalars.first == "=" else { return nil }
            scalars.removeFirst()
            skipSpaces()
            var parameterValue = String.UnicodeScalarView()
            if scalars.first == "\"" {
                scalars.removeFirst()
                var closed = false
                while let c = scalars.popFirst() {
                    if c == "\"" {
                        closed = true
                        break
                    }
                    if c == "\\", let escaped = scalars.popFirst() {
                        parameterValue.append(escaped)
                    } else {
                        parameterValue.append(c)
                    }
                }
                guard closed else { return nil }
            } else {
                parameterValue = token().unicodeScalars
            }
            skipSpaces()
            guard scalars.isEmpty || scalars.first == ";" else { return nil }
            parameters[name] = String(parameterValue)
        }
    }
}
