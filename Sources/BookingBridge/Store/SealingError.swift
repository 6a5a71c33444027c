import Crypto
import Foundation

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
