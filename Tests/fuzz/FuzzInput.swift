/// What every fuzz target shares: the input as bytes, cut into the parts a target reads.
///
/// Compiled into each target next to the sources it names (see `README.md`); it is not part of the library.
enum FuzzInput {
    /// The bytes libFuzzer passes in.
    static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
        guard let data, size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: size))
    }

    /// The first `count` lines (cut at `\n`) as text, and what follows them as bytes. Missing lines are empty.
    static func lines(_ bytes: [UInt8], count: Int) -> (lines: [String], rest: [UInt8]) {
        var lines: [String] = []
        var position = 0
        while lines.count < count {
            guard let end = bytes[position...].firstIndex(of: UInt8(ascii: "\n")) else {
                lines.append(String(decoding: bytes[position...], as: UTF8.self))
                position = bytes.count
                break
            }
            lines.append(String(decoding: bytes[position..<end], as: UTF8.self))
            position = end + 1
        }
        while lines.count < count { lines.append("") }
        return (lines, Array(bytes[position...]))
    }

    /// Stops the run with a message when an invariant does not hold: libFuzzer records the input as a crash.
    static func require(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fatalError("fuzz invariant: \(message())") }
    }
}
