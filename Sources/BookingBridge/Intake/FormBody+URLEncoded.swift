/// Reads an `application/x-www-form-urlencoded` body (as browsers send it: `+` for spaces, `%XX` escapes of UTF-8
/// bytes, pairs separated by `&`).
enum URLEncodedForm {
    static func decode(_ body: [UInt8]) throws(IntakeError) -> [String: String] {
        var builder = FormBody.Builder()
        for pair in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let name: ArraySlice<UInt8>
            let value: ArraySlice<UInt8>
            if let equals = pair.firstIndex(of: UInt8(ascii: "=")) {
                name = pair[pair.startIndex..<equals]
                value = pair[(equals + 1)...]
            } else {
                name = pair
                value = []
            }
            let decodedName = try text(name, what: "a field name")
            guard !decodedName.isEmpty else { continue }
            try builder.add(decodedName, try text(value, what: "the value of \(decodedName)"))
        }
        return builder.fields
    }

    /// The text of an encoded name or value; one without `+` and `%` is its bytes as they are.
    private static func text(_ bytes: ArraySlice<UInt8>, what: @autoclosure () -> String) throws(IntakeError) -> String
    {
        if bytes.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "%") }) {
            return try FormBody.utf8(try percentDecode(bytes), what: what())
        }
        return try FormBody.utf8(bytes, what: what())
    }

    static func percentDecode(_ bytes: ArraySlice<UInt8>) throws(IntakeError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "+"):
                out.append(UInt8(ascii: " "))
                index += 1
            case UInt8(ascii: "%"):
                guard index + 2 < bytes.endIndex, let high = hexValue(bytes[index + 1]),
                    let low = hexValue(bytes[index + 2])
                else {
                    throw IntakeError(.malformed, "the form body has a % not followed by two hex digits")
                }
                out.append(high << 4 | low)
                index += 3
            default:
                out.append(byte)
                index += 1
            }
        }
        return out
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
