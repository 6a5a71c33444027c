import Foundation

extension UUID {
    /// A version 4 (random) UUID from the system's random number generator.
    ///
    /// `UUID()` on Linux opens and reads `/dev/urandom` on every call (an `open`, a `read` and a `close`); this reads
    /// the same kernel randomness with one `getrandom` call and no file descriptor, which matters on paths taken for
    /// every request.
    public static func random() -> UUID {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &bytes) { raw in
            raw.storeBytes(of: high, toByteOffset: 0, as: UInt64.self)
            raw.storeBytes(of: low, toByteOffset: 8, as: UInt64.self)
            raw[6] = (raw[6] & 0x0F) | 0x40  // version 4
            raw[8] = (raw[8] & 0x3F) | 0x80  // RFC 4122 variant
        }
        return UUID(uuid: bytes)
    }
}
