/// A pragmatic e-mail address check: `local@domain.tld` without quoted local parts, comments or IP literals (no
/// booking form needs them), with internationalized characters allowed.
enum EmailSyntax {
    static let maximumLength = 254

    static func isValid(_ address: String) -> Bool {
        guard address.utf8.count <= maximumLength, let at = address.lastIndex(of: "@") else { return false }
        let local = address[..<at]
        let domain = address[address.index(after: at)...]
        return isValidLocalPart(local) && isValidDomain(domain)
    }

    private static let localSymbols = Set("!#$%&'*+/=?^_`{|}~-.".unicodeScalars)

    private static func isValidLocalPart(_ local: Substring) -> Bool {
        guard (1...64).contains(local.utf8.count), !local.hasPrefix("."), !local.hasSuffix("."),
            !local.contains("..")
        else { return false }
        return local.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII
                ? (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || localSymbols.contains(scalar))
                : scalar.properties.isAlphabetic || scalar.properties.numericType != nil
        }
    }

    private static func isValidDomain(_ domain: Substring) -> Bool {
        guard (1...253).contains(domain.utf8.count) else { return false }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, let tld = labels.last, tld.count >= 2, !tld.allSatisfy(\.isNumber) else {
            return false
        }
        return labels.allSatisfy { label in
            guard (1...63).contains(label.utf8.count), !label.hasPrefix("-"), !label.hasSuffix("-") else {
                return false
            }
            return label.unicodeScalars.allSatisfy { scalar in
                scalar == "-" || ("0"..."9").contains(scalar) || scalar.properties.isAlphabetic
            }
        }
    }
}
