extension StringProtocol {
    /// The text without leading and trailing white space.
    func trimmingWhitespace() -> String {
        let text = String(self)
        // Most values start and end with an ASCII character that is not white space: nothing to trim.
        if let head = text.utf8.first, let tail = text.utf8.last, Self.isPlainASCII(head), Self.isPlainASCII(tail) {
            return text
        }
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }

    /// An ASCII byte that is not Unicode white space (tab to carriage return, space).
    private static func isPlainASCII(_ byte: UInt8) -> Bool {
        byte < 0x80 && byte != 0x20 && !(0x09...0x0D).contains(byte)
    }
}
