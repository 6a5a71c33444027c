import Crypto
import Foundation

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

extension SecretKeyring {
    /// The keyring of a rotation to `new`: it seals, and it and every key of `old` open.
    public static func rotating(to new: SecretKey, from old: SecretKeyring) -> SecretKeyring {
        SecretKeyring(current: new, previous: old.keys)
    }
}
