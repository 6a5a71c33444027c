/// Lowercase hexadecimal text of bytes, written through a lookup table (no `String(format:)` per byte).
enum Hex {
    /// The table: sixteen ASCII digits in read-only memory.
    private static let digits: StaticString = "0123456789abcdef"

    /// The digit of a value below 16.
    @inline(__always)
    static func digit(_ value: UInt8) -> UInt8 {
        digits.utf8Start[Int(value & 0x0f)]
    }

    /// Writes two digits per byte of `bytes` into `out` from `offset` on; `out` must have room for them.
    static func write(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
        precondition(offset + 2 * bytes.count <= out.count, "no room for the hex digits")
        var index = offset
        for byte in bytes {
            out[index] = digit(byte >> 4)
            out[index + 1] = digit(byte)
            index += 2
        }
    }

    /// The digits of `bytes` as a string, two per byte.
    static func string(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digit(byte >> 4))
            out.append(digit(byte))
        }
        return String(decoding: out, as: UTF8.self)
    }
}
