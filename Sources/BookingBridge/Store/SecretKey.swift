import Crypto
import Foundation

/// One key that seals secrets at rest: 32 bytes for AES-256-GCM, given as base64 (`BRIDGE_SECRET_KEY`).
///
/// Its `id` is the first 8 bytes of the SHA-256 of the key, in hex: stored with every value it seals, so a reader
/// knows which key opens a value and can say which one it lacks, while revealing nothing usable about the key.
/// `description` shows only the id, so a key never reaches a log through string interpolation.
public struct SecretKey: Sendable, CustomStringConvertible, Equatable {
    /// The key's bytes (`SymmetricKey` is not `Sendable` here).
    private let bytes: [UInt8]
    public let id: String

    var key: SymmetricKey { SymmetricKey(data: bytes) }

    /// A key from its base64 text; `nil` unless it decodes to exactly 32 bytes.
    public init?(base64: String) {
        guard let bytes = Data(base64Encoded: base64.trimmingWhitespace()), bytes.count == 32 else { return nil }
        self.init(bytes: bytes)
    }

    init(bytes: Data) {
        self.bytes = Array(bytes)
        self.id = Hex.string(SHA256.hash(data: bytes).prefix(8))
    }

    /// A new random key and its base64 text (for `dev` and for operators making one).
    public static func generate() -> (key: SecretKey, base64: String) {
        let key = SymmetricKey(size: .bits256)
        let bytes = key.withUnsafeBytes { Data($0) }
        return (SecretKey(bytes: bytes), bytes.base64EncodedString())
    }

    public var description: String { "secret key \(id)" }

    public static func == (lhs: SecretKey, rhs: SecretKey) -> Bool { lhs.id == rhs.id }
}
