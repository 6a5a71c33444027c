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
        self.id = SHA256.hash(data: bytes).prefix(8).map { String(format: "%02x", $0) }.joined()
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

/// The keys a process seals and opens secrets at rest with: `current` seals (`BRIDGE_SECRET_KEY`), and it and
/// `previous` open (`BRIDGE_SECRET_KEY_PREVIOUS`, during a key rotation).
///
/// A sealed value is text in its own column: `sealed:v1:<key id>:<base64 of nonce (12 bytes), ciphertext, tag (16
/// bytes)>`. AES-GCM authenticates the ciphertext and, as associated data, the prefix with the key id and a
/// `context` naming the row it belongs to (`subscription:<id>`), so a value that was changed, or copied into another
/// row, does not open. Text without the `sealed:` prefix is a value stored in the clear (before a key was set, or
/// with no key at all): `open` returns it as is, and start-up seals it once a key is set. Without a current key
/// `seal` stores in the clear, which keeps a bridge without `BRIDGE_SECRET_KEY` working where nothing was sealed.
public struct SecretKeyring: Sendable, CustomStringConvertible {
    public let current: SecretKey?
    public let previous: [SecretKey]

    /// No key: values are stored and read in the clear.
    public static let none = SecretKeyring(current: nil, previous: [])

    public init(current: SecretKey?, previous: [SecretKey] = []) {
        self.current = current
        self.previous = previous.filter { $0 != current }
    }

    /// The text every sealed value starts with.
    public static let prefix = "sealed:v1:"

    /// Every key that opens values, the current one first.
    public var keys: [SecretKey] { (current.map { [$0] } ?? []) + previous }

    /// Key ids only, never keys.
    public var description: String {
        "current=\(current?.id ?? "(none)") previous=[\(previous.map(\.id).joined(separator: ","))]"
    }

    /// `plain` sealed under the current key, bound to `context`; `plain` itself when there is no current key.
    public func seal(_ plain: String, context: String) -> String {
        guard let current else { return plain }
        return Self.seal(plain, key: current, context: context)
    }

    /// `plain` sealed under `key`, bound to `context`.
    public static func seal(_ plain: String, key: SecretKey, context: String) -> String {
        let header = prefix + key.id + ":"
        // AES.GCM.seal with a random 12-byte nonce fails only for an invalid key size, which SecretKey rules out.
        let box = try! AES.GCM.seal(
            Data(plain.utf8), using: key.key, nonce: AES.GCM.Nonce(), authenticating: Data((header + context).utf8))
        return header + box.combined!.base64EncodedString()
    }

    /// The value that `stored` holds: opened when sealed, as is when stored in the clear.
    public func open(_ stored: String, context: String) throws(SealingError) -> String {
        guard let sealed = Self.parse(stored) else {
            if stored.hasPrefix("sealed:") { throw SealingError(.malformed) }
            return stored
        }
        guard let key = keys.first(where: { $0.id == sealed.keyID }) else {
            throw SealingError(current == nil ? .noKey(keyID: sealed.keyID) : .unknownKey(keyID: sealed.keyID))
        }
        let header = Self.prefix + sealed.keyID + ":"
        do {
            let box = try AES.GCM.SealedBox(combined: sealed.box)
            let plain = try AES.GCM.open(box, using: key.key, authenticating: Data((header + context).utf8))
            return String(decoding: plain, as: UTF8.self)
        } catch {
            throw SealingError(.notAuthentic(keyID: sealed.keyID))
        }
    }

    /// The key id `stored` was sealed under; `nil` for a value in the clear.
    public static func keyID(of stored: String) -> String? { parse(stored)?.keyID }

    /// True when `stored` is already what `seal` would store now: sealed under the current key, or (without a
    /// current key) in the clear.
    public func isCurrent(_ stored: String) -> Bool { Self.keyID(of: stored) == current?.id }

    private static func parse(_ stored: String) -> (keyID: String, box: Data)? {
        guard stored.hasPrefix(prefix) else { return nil }
        let rest = stored.dropFirst(prefix.count)
        guard let colon = rest.firstIndex(of: ":") else { return nil }
        let keyID = String(rest[..<colon])
        // 12 bytes of nonce and 16 of tag at least.
        guard !keyID.isEmpty, let box = Data(base64Encoded: String(rest[rest.index(after: colon)...])),
            box.count >= 28
        else { return nil }
        return (keyID, box)
    }
}

/// A sealed value that cannot be opened; `description` says which key is missing or that the value was changed,
/// and never shows the value.
public struct SealingError: Error, CustomStringConvertible, Equatable {
    enum Code: Equatable {
        case noKey(keyID: String)
        case unknownKey(keyID: String)
        case notAuthentic(keyID: String)
        case malformed
    }

    let code: Code

    init(_ code: Code) { self.code = code }

    /// Whether the value needs a key this process does not have (as opposed to a damaged value).
    public var isMissingKey: Bool {
        switch code {
        case .noKey, .unknownKey: true
        case .notAuthentic, .malformed: false
        }
    }

    public var description: String {
        switch code {
        case .noKey(let id):
            "a secret is sealed under key \(id), but BRIDGE_SECRET_KEY is not set"
        case .unknownKey(let id):
            "a secret is sealed under key \(id), which neither BRIDGE_SECRET_KEY nor BRIDGE_SECRET_KEY_PREVIOUS holds"
        case .notAuthentic(let id):
            "a secret sealed under key \(id) does not open: it was changed, moved to another row, or the key differs"
        case .malformed:
            "a sealed secret is malformed"
        }
    }
}

extension SecretKeyring {
    /// The keyring of a rotation to `new`: it seals, and it and every key of `old` open.
    public static func rotating(to new: SecretKey, from old: SecretKeyring) -> SecretKeyring {
        SecretKeyring(current: new, previous: old.keys)
    }
}
