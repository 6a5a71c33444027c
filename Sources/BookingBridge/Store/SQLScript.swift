/// Splits a SQL script into single statements.
///
/// PostgresNIO speaks only the extended query protocol, which runs one statement per query, so a migration file is
/// cut at each `;` that ends a statement. Semicolons inside `--` and `/* */` comments, quoted strings, quoted
/// identifiers and dollar-quoted bodies (`$$ ... $$`, `$fn$ ... $fn$`) do not end a statement.
public enum SQLScript {
    public static func statements(in script: String) -> [String] {
        let chars = Array(script.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var index = 0

        func flush() {
            let text = String(current).trimmingWhitespace()
            if !text.isEmpty, !isOnlyComments(text) { statements.append(text) }
            current = String.UnicodeScalarView()
        }

        while index < chars.count {
            let c = chars[index]
            let next: Unicode.Scalar? = index + 1 < chars.count ? chars[index + 1] : nil
            if c == "-" && next == "-" {
                while index < chars.count && chars[index] != "\n" {
                    current.append(chars[index])
                    index += 1
                }
                continue
            }
            if c == "/" && next == "*" {
                current.append(c)
                current.append("*")
                index += 2
                while index < chars.count {
                    if chars[index] == "*" && index + 1 < chars.count && chars[index + 1] == "/" {
                        current.append("*")
                        current.append("/")
                        index += 2
                        break
                    }
                    current.append(chars[index])
                    index += 1
                }
                continue
            }
            if c == "'" || c == "\"" {
                index = copyQuoted(chars, from: index, into: &current)
                continue
            }
            if c == "$", let tagEnd = dollarTagEnd(chars, from: index) {
                index = copyDollarQuoted(chars, from: index, tagEnd: tagEnd, into: &current)
                continue
            }
            if c == ";" {
                flush()
                index += 1
                continue
            }
            current.append(c)
            index += 1
        }
        flush()
        return statements
    }

    /// Copies the quoted string or identifier starting at `start` (its quote included) into `current` and returns
    /// the index after its closing quote. A doubled quote is an escaped quote, not the end.
    private static func copyQuoted(
        _ chars: [Unicode.Scalar], from start: Int, into current: inout String.UnicodeScalarView
    ) -> Int {
        let quote = chars[start]
        current.append(quote)
        var index = start + 1
        while index < chars.count {
            current.append(chars[index])
            if chars[index] == quote {
                if index + 1 < chars.count && chars[index + 1] == quote {
                    current.append(quote)
                    index += 2
                    continue
                }
                return index + 1
            }
            index += 1
        }
        return index
    }

    /// Copies the dollar-quoted body starting at `start` (its tag ends at `tagEnd`) into `current`, both tags
    /// included, and returns the index after the closing tag.
    private static func copyDollarQuoted(
        _ chars: [Unicode.Scalar], from start: Int, tagEnd: Int, into current: inout String.UnicodeScalarView
    ) -> Int {
        let tag = Array(chars[start...tagEnd])
        for scalar in tag { current.append(scalar) }
        var index = tagEnd + 1
        while index < chars.count {
            if chars[index] == "$", index + tag.count <= chars.count, Array(chars[index..<(index + tag.count)]) == tag {
                for scalar in tag { current.append(scalar) }
                return index + tag.count
            }
            current.append(chars[index])
            index += 1
        }
        return index
    }

    /// The index of the closing `$` of a dollar-quote tag starting at `start`, if one starts there.
    private static func dollarTagEnd(_ chars: [Unicode.Scalar], from start: Int) -> Int? {
        var index = start + 1
        while index < chars.count {
            let c = chars[index]
            if c == "$" { return index }
            let isTagCharacter =
                c == "_" || (c.properties.isAlphabetic) || (index > start + 1 && ("0"..."9").contains(c))
            if !isTagCharacter { return nil }
            index += 1
        }
        return nil
    }

    private static func isOnlyComments(_ text: String) -> Bool {
        text.split(separator: "\n").allSatisfy { line in
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            return trimmed.isEmpty || trimmed.hasPrefix("--")
        }
    }
}
