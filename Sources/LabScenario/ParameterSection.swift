import Yams

/// A parameter as declared in the file, with the values in effect (the file's, or `--set`'s).
struct DeclaredParameter {
    let name: String
    /// Where the name is written: unused parameters and `--set` values are blamed here.
    let position: SourcePosition
    var values: [ParameterValue]
}

/// Reads `parameters:` and applies command-line overrides. A parameter whose values are all invalid
/// stays declared (so its uses are not also reported as unknown) but takes no part in the sweep.
struct ParameterSection {
    private(set) var parameters: [DeclaredParameter] = []

    /// A sweep this large could not run in any reasonable time; it is almost surely a mistake.
    static let maximumVariants = 1000

    var names: [String] { parameters.map(\.name) }

    typealias Point = [(name: String, value: ParameterValue)]

    /// The sweep's points, first parameter varying slowest, each as (name, value) in declaration order.
    /// Only the first point when the sweep is over `maximumVariants`: enough to keep validating
    /// without building an absurd product.
    var points: [Point] {
        let swept = parameters.filter { !$0.values.isEmpty }
        guard variantCount <= Self.maximumVariants else { return [swept.map { ($0.name, $0.values[0]) }] }
        var points: [Point] = [[]]
        for parameter in swept {
            points = points.flatMap { point in parameter.values.map { point + [(parameter.name, $0)] } }
        }
        return points
    }

    /// Saturates rather than overflows: any count past the maximum is reported the same way.
    var variantCount: Int {
        parameters.reduce(1) { count, parameter in
            let (product, overflow) = count.multipliedReportingOverflow(by: max(parameter.values.count, 1))
            return overflow ? Int.max : product
        }
    }

    init(_ node: Node?, reader: ValueReader) {
        guard let node else { return }
        guard case .mapping(let mapping) = node else {
            reader.log.error("'parameters' must be a mapping from names to lists of values, got \(describeShape(node))",
                             at: node.position)
            return
        }
        let entries = MappingEntries(mapping, reader: reader)
        parameters = entries.entries.map { DeclaredParameter(entry: $0, reader: reader) }
    }

    /// Replaces declared values by `--set` ones. `anchor` is where problems with a name are reported:
    /// the `parameters` key, or the top of the file when there is none.
    mutating func apply(_ overrides: [String: [String]], anchor: SourcePosition, log: DiagnosticLog) {
        for (name, values) in overrides.sorted(by: { $0.key < $1.key }) {
            guard let index = parameters.firstIndex(where: { $0.name == name }) else {
                let hint = parameters.isEmpty ? "this scenario declares no parameters"
                    : Suggestion.hint(for: name, among: names, otherwise: "declared: " + names.joined(separator: ", "))
                log.error("unknown parameter '\(excerpt(name))' in --set (\(hint))", at: anchor)
                continue
            }
            let declaration = parameters[index].position
            guard !values.isEmpty else {
                log.error("--set \(name) gives no values", at: declaration)
                continue
            }
            if let repeated = firstRepeated(values) {
                log.error("--set \(name) gives the value \(repeated) twice", at: declaration)
                continue
            }
            parameters[index].values = values.map { ParameterValue(text: $0, origin: .commandLine(declaration: declaration)) }
        }
    }

    private func firstRepeated(_ values: [String]) -> String? {
        var seen: Set<String> = []
        return values.first { !seen.insert($0).inserted }
    }
}

extension DeclaredParameter {
    /// Lower-case names, so `${rules}` reads like the keys around it and never needs quoting.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLowercase else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }
    }

    init(entry: MappingEntry, reader: ValueReader) {
        let name = entry.name
        if !DeclaredParameter.isValidName(name) {
            reader.log.error("parameter name '\(excerpt(name))' must start with a lowercase letter and use only "
                             + "lowercase letters, digits and '_'", at: entry.key.position)
        }
        self.init(name: name, position: entry.key.position, values: DeclaredParameter.values(of: entry, reader: reader))
    }

    private static func values(of entry: MappingEntry, reader: ValueReader) -> [ParameterValue] {
        let name = entry.name
        guard case .sequence(let items) = entry.value else {
            reader.log.error("parameter '\(name)' must be a list of values such as [1, 100, 1000], got \(describeShape(entry.value))",
                             at: entry.value.position)
            return []
        }
        if items.isEmpty { reader.log.error("parameter '\(name)' must list at least one value", at: entry.value.position) }
        var values: [ParameterValue] = []
        var firstAt: [String: SourcePosition] = [:]
        for item in items {
            guard case .scalar(let scalar) = item, !ScalarValue(scalar, at: item.position).isNull else {
                reader.log.error("each value of parameter '\(name)' must be a number or text, got \(describeShape(item))",
                                 at: item.position)
                continue
            }
            if let first = firstAt[scalar.string] {
                reader.log.error("parameter '\(name)' lists \(excerpt(scalar.string)) twice (first at \(first))", at: item.position)
                continue
            }
            firstAt[scalar.string] = item.position
            // A value holding a placeholder is reported by PlaceholderCheck; it cannot be swept.
            if !scalar.string.holdsPlaceholderOpening { values.append(ParameterValue(text: scalar.string, origin: .file(item.position))) }
        }
        return values
    }
}
