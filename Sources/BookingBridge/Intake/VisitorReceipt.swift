import Crypto
import Foundation

/// The receipt a visitor gets for a public source's submission: the intent id and a 128-bit HMAC-SHA256 tag
/// of it under the database's receipt key, as 32 hex digits followed by 32 more.
///
/// Only the holder of the receipt can read the intent's status through it: the id alone (which the 202 answer's
/// `statusUrl` shows too) is not enough, and no receipt can be made for another intent without the key. The
/// receipt is derived, never stored, so a repeated submission gets the same receipt back.
///
/// The tag is the HMAC of the id's 32 lowercase hex digits (the hyphen-less `uuidString`, lowercased). Both halves
/// are written through a lookup table into one 64-byte buffer: a receipt is made for every public submission.
enum VisitorReceipt {
    static func make(id: UUID, key: [UInt8]) -> String {
        String(unsafeUninitializedCapacity: 64) { out in
            withUnsafeBytes(of: id.uuid) { Hex.write($0, into: out, at: 0) }
            let mac = HMAC<SHA256>.authenticationCode(
                for: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(out)[0..<32]),
                using: SymmetricKey(data: key))
            mac.withUnsafeBytes { Hex.write(UnsafeRawBufferPointer(rebasing: $0[0..<16]), into: out, at: 32) }
            return 64
        }
    }

    /// The intent a receipt is for, when its tag is right.
    static func open(_ receipt: String, key: [UInt8]) -> UUID? {
        let bytes = Array(receipt.utf8)
        guard bytes.count == 64, bytes.allSatisfy({ Character(Unicode.Scalar($0)).isHexDigit }) else { return nil }
        let text = String(decoding: bytes[0..<32], as: UTF8.self)
        var hyphenated = text
        for offset in [20, 16, 12, 8] {
            hyphenated.insert("-", at: hyphenated.index(hyphenated.startIndex, offsetBy: offset))
        }
        guard let id = UUID(uuidString: hyphenated) else { return nil }
        let expected = Array(make(id: id, key: key).utf8.dropFirst(32))
        return ConstantTime.equal(Array(bytes[32...]).map { Self.lower($0) }, expected) ? id : nil
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte) ? byte + 32 : byte
    }
}
