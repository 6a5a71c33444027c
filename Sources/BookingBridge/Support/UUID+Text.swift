import Foundation

extension UUID {
    /// `uuidString.lowercased()` (`e621e1f8-c36c-495a-93fc-0c247a3e6e5f`), written through `Hex`'s lookup table
    /// instead of formatting in upper case and lowering a copy: intake writes several for every request.
    var lowercasedString: String {
        withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { out in
                var index = 0
                for (offset, byte) in bytes.enumerated() {
                    if offset == 4 || offset == 6 || offset == 8 || offset == 10 {
                        out[index] = UInt8(ascii: "-")
                        index += 1
                    }
                    out[index] = Hex.digit(byte >> 4)
                    out[index + 1] = Hex.digit(byte)
                    index += 2
                }
                return index
            }
        }
    }
}
