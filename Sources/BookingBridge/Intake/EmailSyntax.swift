/// A pragmatic e-mail address check: `local@domain.tld` without quoted local parts, comments or IP literals (no
/// booking form needs them), with internationalized characters allowed.
enum EmailSyntax {
    static let maximumLength = 254

    static func isValid(_ address: String) -> Bool {
        guard address.utf8.count <= maximumLength else { return false }
        if let ascii = isValidASCII(address) { return ascii }
        return isValidUnicode(address)
    }

    /// The same rules over the UTF-8 bytes, for an all-ASCII address (nearly every one); `nil` for any other, which
    /// needs Unicode's character properties. About a tenth of the time of `isValidUnicode`.
    static func isValidASCII(_ address: String) -> Bool? {
        let result = address.utf8.withContiguousStorageIfAvailable { bytes -> Bool? in
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            guard let at = bytes.lastIndex(of: UInt8(ascii: "@")) else { return false }
            return isValidASCIILocalPart(bytes[..<at]) && isValidASCIIDomain(bytes[(at + 1)...])
        }
        return result ?? nil  // a string without contiguous UTF-8 takes the Unicode path
    }

    private static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static let localSymbolBytes = Set("!#$%&'*+/=?^_`{|}~-.".utf8)

    private static func isValidASCIILocalPart(_ local: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        let dot = UInt8(ascii: ".")
        guard (1...64).contains(local.count), local.first != dot, local.last != dot else { return false }
        var previous: UInt8 = 0
        for byte in local {
            if byte == dot && previous == dot { return false }
            guard isLetterOrDigit(byte) || localSymbolBytes.contains(byte) else { return false }
            previous = byte
        }
        return true
    }

    private static func isValidASCIIDomain(_ domain: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        guard (1...253).contains(domain.count) else { return false }
        let labels = domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        let digits = UInt8(ascii: "0")...UInt8(ascii: "9")
        guard labels.count >= 2, let tld = labels.last, tld.count >= 2, !tld.allSatisfy({ digits.contains($0) }) else {
            return false
        }
        let hyphen = UInt8(ascii: "-")
        return labels.allSatisfy { label in
            (1...63).contains(label.count) && label.first != hyphen && label.last != hyphen
                && label.allSatisfy { $0 == hyphen || isLetterOrDigit($0) }
        }
    }

    /// The rules over Unicode scalars (internationalized addresses).
    static func isValidUnicode(_ address: String) -> Bool {
        guard let at = address.lastIndex(of: "@") else { return false }
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
