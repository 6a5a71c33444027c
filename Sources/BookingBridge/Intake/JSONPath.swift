/// A path into a JSON value: keys joined by dots, `[n]` for an array element, `[key=value]` for the first array
/// element whose `key` is `value`: `submission.email`, `answers[0].value`, `questions[name=Email].value`.
struct JSONPath: Sendable, Equatable {
    enum Step: Sendable, Equatable {
        case key(String)
        case index(Int)
        case match(key: String, value: String)
    }

    var steps: [Step]

    /// `nil` for text that is not a path (empty, unbalanced brackets, an empty key).
    init?(_ text: String) {
        var steps: [Step] = []
        var rest = Substring(text)
        guard !rest.isEmpty, rest.utf8.count <= 500 else { return nil }
        while !rest.isEmpty {
            if rest.first == "[" {
                guard let close = rest.firstIndex(of: "]") else { return nil }
                let inside = rest[rest.index(after: rest.startIndex)..<close]
                if let equals = inside.firstIndex(of: "=") {
                    let key = inside[..<equals]
                    guard !key.isEmpty else { return nil }
                    steps.append(.match(key: String(key), value: String(inside[inside.index(after: equals)...])))
                } else {
                    guard let index = Int(inside), index >= 0 else { return nil }
                    steps.append(.index(index))
                }
                rest = rest[rest.index(after: close)...]
                if rest.first == "." {
                    rest = rest.dropFirst()
                    guard !rest.isEmpty else { return nil }
                }
            } else {
                let end = rest.firstIndex { $0 == "." || $0 == "[" } ?? rest.endIndex
                let key = rest[..<end]
                guard !key.isEmpty else { return nil }
                steps.append(.key(String(key)))
                rest = rest[end...]
                if rest.first == "." {
                    rest = rest.dropFirst()
                    guard !rest.isEmpty else { return nil }
                }
            }
        }
        self.steps = steps
    }

    func resolve(in value: JSONValue) -> JSONValue? {
        var current = value
        for step in steps {
            switch step {
            case .key(let key):
                guard let next = current[key] else { return nil }
                current = next
            case .index(let index):
                guard let array = current.arrayValue, index < array.count else { return nil }
                current = array[index]
            case .match(let key, let wanted):
                guard let array = current.arrayValue,
                    let found = array.first(where: { $0[key]?.fieldText == wanted })
                else { return nil }
                current = found
            }
        }
        return current
    }
}
