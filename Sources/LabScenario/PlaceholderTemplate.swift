/// A scalar's text split at its `${name}` placeholders: `"${size}K"` is parameter `size` then "K".
struct PlaceholderTemplate: Equatable {
    enum Segment: Equatable {
        case text(String)
        case parameter(String)
    }

    let segments: [Segment]

    /// nil when the text has a `${` that is not closed by `}` or names nothing (`${}`).
    init?(parsing text: String) {
        var segments: [Segment] = []
        var rest = text[...]
        while let open = rest.firstRange(of: "${") {
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else { return nil }
            let name = String(rest[open.upperBound..<close])
            guard !name.isEmpty else { return nil }
            if open.lowerBound > rest.startIndex { segments.append(.text(String(rest[..<open.lowerBound]))) }
            segments.append(.parameter(name))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty || segments.isEmpty { segments.append(.text(String(rest))) }
        self.segments = segments
    }

    /// Parameter names in order of use, each once.
    var parameterNames: [String] {
        var names: [String] = []
        for case .parameter(let name) in segments where !names.contains(name) { names.append(name) }
        return names
    }

    var hasPlaceholders: Bool { segments.contains { if case .parameter = $0 { true } else { false } } }

    /// The text with each placeholder replaced; nil when a name has no value.
    func render(_ value: (String) -> String?) -> String? {
        var result = ""
        for segment in segments {
            switch segment {
            case .text(let text): result += text
            case .parameter(let name):
                guard let replacement = value(name) else { return nil }
                result += replacement
            }
        }
        return result
    }
}

extension String {
    /// Whether the text has a `${`. Asked of every scalar of the file, so it scans bytes rather than
    /// going through Foundation's string search.
    var holdsPlaceholderOpening: Bool {
        var previous: UInt8 = 0
        for byte in utf8 {
            if previous == UInt8(ascii: "$"), byte == UInt8(ascii: "{") { return true }
            previous = byte
        }
        return false
    }
}
