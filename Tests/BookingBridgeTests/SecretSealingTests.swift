import BookingBridge
import Foundation
import Testing

/// `SecretKey`, `SecretKeyring` and the start-up decision `SecretsAtRest.decide`: pure values, no database.
@Suite("Secrets sealed at rest")
struct SecretSealingTests {
    static let a = SecretKey(base64: Data(repeating: 1, count: 32).base64EncodedString())!
    static let b = SecretKey(base64: Data(repeating: 2, count: 32).base64EncodedString())!
    static let secret = "whsec_" + Data((0..<32).map { UInt8($0) }).base64EncodedString()

    @Test("a sealed value opens with its key and context, and holds neither the value nor its base64 body")
    func roundTrip() throws {
        let ring = SecretKeyring(current: Self.a)
        let sealed = ring.seal(Self.secret, context: "subscription:1")
        #expect(sealed.hasPrefix("sealed:v1:\(Self.a.id):"))
        #expect(!sealed.contains(Self.secret))
        #expect(!sealed.contains(String(Self.secret.dropFirst("whsec_".count))))
        #expect(try ring.open(sealed, context: "subscription:1") == Self.secret)
        // A fresh nonce each time: the same value seals differently.
        #expect(ring.seal(Self.secret, context: "subscription:1") != sealed)
        #expect(ring.isCurrent(sealed))
        #expect(SecretKeyring.keyID(of: sealed) == Self.a.id)
    }

    @Test("a wrong or missing key is refused, naming the variable and the key id")
    func wrongKey() throws {
        let sealed = SecretKeyring(current: Self.a).seal(Self.secret, context: "c")
        let other = #expect(throws: SealingError.self) { try SecretKeyring(current: Self.b).open(sealed, context: "c") }
        #expect(other?.isMissingKey == true)
        #expect(other?.description.contains("BRIDGE_SECRET_KEY_PREVIOUS") == true)
        #expect(other?.description.contains(Self.a.id) == true)
        let none = #expect(throws: SealingError.self) { try SecretKeyring.none.open(sealed, context: "c") }
        #expect(none?.description.contains("BRIDGE_SECRET_KEY is not set") == true)
        // During a rotation the previous key still opens it.
        #expect(try SecretKeyring(current: Self.b, previous: [Self.a]).open(sealed, context: "c") == Self.secret)
    }

    @Test("a tampered ciphertext, a changed key id or a value moved to another row does not open")
    func tampered() throws {
        let ring = SecretKeyring(current: Self.a, previous: [Self.b])
        let sealed = ring.seal(Self.secret, context: "subscription:1")
        let body = sealed.split(separator: ":", omittingEmptySubsequences: false).last!
        var bytes = Array(Data(base64Encoded: String(body))!)
        bytes[20] ^= 0x01
        let flipped = "sealed:v1:\(Self.a.id):" + Data(bytes).base64EncodedString()
        let error = #expect(throws: SealingError.self) { try ring.open(flipped, context: "subscription:1") }
        #expect(error?.isMissingKey == false)
        #expect(error?.description.contains(Self.secret) == false)
        #expect(throws: SealingError.self) { try ring.open(sealed, context: "subscription:2") }
        let relabelled = "sealed:v1:\(Self.b.id):" + body
        #expect(throws: SealingError.self) { try ring.open(relabelled, context: "subscription:1") }
        #expect(throws: SealingError.self) { try ring.open("sealed:v1:\(Self.a.id):bm9wZQ==", context: "c") }
    }

    @Test("without a key values stay in the clear, and values from before a key are read as they are")
    func clear() throws {
        #expect(SecretKeyring.none.seal(Self.secret, context: "c") == Self.secret)
        #expect(SecretKeyring.none.isCurrent(Self.secret))
        #expect(try SecretKeyring(current: Self.a).open(Self.secret, context: "c") == Self.secret)
        #expect(!SecretKeyring(current: Self.a).isCurrent(Self.secret))
    }

    @Test("a key is 32 bytes of base64; its id is derived from it; neither description shows it")
    func keys() {
        #expect(SecretKey(base64: Data(repeating: 1, count: 31).base64EncodedString()) == nil)
        #expect(SecretKey(base64: "not base64!") == nil)
        #expect(Self.a.id.count == 16)
        #expect(Self.a.id != Self.b.id)
        let made = SecretKey.generate()
        #expect(SecretKey(base64: made.base64) == made.key)
        #expect(!"\(made.key)".contains(made.base64))
        #expect(!"\(SecretKeyring(current: made.key))".contains(made.base64))
        #expect(
            "\(SecretKeyring(current: Self.a, previous: [Self.b]))" == "current=\(Self.a.id) previous=[\(Self.b.id)]")
    }

    @Test("BRIDGE_SECRET_KEY and BRIDGE_SECRET_KEY_PREVIOUS are read, and a bad one is named without its value")
    func configuration() throws {
        let a = Data(repeating: 1, count: 32).base64EncodedString()
        let b = Data(repeating: 2, count: 32).base64EncodedString()
        let c = try BridgeConfiguration.load(
            environment: ["BRIDGE_SECRET_KEY": a, "BRIDGE_SECRET_KEY_PREVIOUS": "\(b), \(a)"], file: nil)
        #expect(c.secrets.current == Self.a)
        #expect(c.secrets.previous == [Self.b])
        let file = try BridgeConfiguration.load(
            environment: [:], file: Data(#"{"secretKey": "\#(b)", "secretKeyPrevious": ["\#(a)"]}"#.utf8))
        #expect(file.secrets.current == Self.b)
        #expect(file.secrets.previous == [Self.a])
        let bad = "c2hvcnQ="
        let error = #expect(throws: ConfigurationError.self) {
            try BridgeConfiguration.load(environment: ["BRIDGE_SECRET_KEY": bad], file: nil)
        }
        #expect(error?.key == "BRIDGE_SECRET_KEY")
        #expect(error?.description.contains(bad) == false)
        let previous = #expect(throws: ConfigurationError.self) {
            try BridgeConfiguration.load(environment: ["BRIDGE_SECRET_KEY_PREVIOUS": "\(a),\(bad)"], file: nil)
        }
        #expect(previous?.key == "BRIDGE_SECRET_KEY_PREVIOUS[1]")
        #expect(!ConfigurationSummary.text(c).contains(a))
    }

    @Test(
        "start-up: refuse values under a key it lacks, seal values in the clear, count values under a previous key",
        arguments: [
            // counts per key id ("" in the clear), current key, previous keys, expected.
            ([:], nil, [], SecretsAtRest.clear(plain: 0)),
            (["": 3], nil, [], .clear(plain: 3)),
            (["": 3], SecretSealingTests.a, [], .seal(plain: 3, previous: 0)),
            (["": 1, SecretSealingTests.a.id: 2], SecretSealingTests.a, [], .seal(plain: 1, previous: 0)),
            (
                [SecretSealingTests.a.id: 2, SecretSealingTests.b.id: 4], SecretSealingTests.a,
                [SecretSealingTests.b], .seal(plain: 0, previous: 4)
            ),
        ] as [([String: Int], SecretKey?, [SecretKey], SecretsAtRest)])
    func startUp(counts: [String: Int], current: SecretKey?, previous: [SecretKey], expected: SecretsAtRest) {
        #expect(
            SecretsAtRest.decide(counts: counts, secrets: SecretKeyring(current: current, previous: previous))
                == expected)
    }

    @Test("start-up without the key that sealed the database is refused, naming the variable to set")
    func startUpRefused() throws {
        guard case .refuse(let none) = SecretsAtRest.decide(counts: ["": 1, Self.a.id: 2], secrets: .none) else {
            Issue.record("not refused")
            return
        }
        #expect(none.key == "BRIDGE_SECRET_KEY")
        #expect(none.description.contains("2 under key \(Self.a.id)"))
        guard
            case .refuse(let other) = SecretsAtRest.decide(
                counts: [Self.a.id: 2], secrets: SecretKeyring(current: Self.b))
        else {
            Issue.record("not refused")
            return
        }
        #expect(other.key == "BRIDGE_SECRET_KEY_PREVIOUS")
    }
}
