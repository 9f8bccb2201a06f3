import Yams

/// One value of a swept parameter, and where it came from: the problem a bad value causes is
/// reported there, since that is what the user must change.
struct ParameterValue: Equatable {
    enum Origin: Equatable {
        /// Written in the file's `parameters` list, at this position.
        case file(SourcePosition)
        /// Given on the command line (`--set`); blamed on the parameter's declaration.
        case commandLine(declaration: SourcePosition)
    }

    let text: String
    let origin: Origin
}

/// Resolves scalars for one point of the sweep: `${name}` placeholders are replaced by that point's
/// values. `Substitution.none` resolves nothing, for the sections where placeholders are not allowed.
///
/// A scalar that cannot be resolved (malformed placeholder, unknown or value-less parameter, or a
/// placeholder outside `policy`/`workloads`) yields nil without a diagnostic: `PlaceholderCheck`
/// reports each of those once for the whole file.
struct Substitution {
    let bindings: [String: ParameterValue]
    let log: DiagnosticLog

    static func none(_ log: DiagnosticLog) -> Substitution { Substitution(bindings: [:], log: log) }

    func resolve(_ scalar: Node.Scalar) -> ScalarValue? {
        let position = SourcePosition(scalar.mark)
        guard scalar.string.holdsPlaceholderOpening else {
            return ScalarValue(scalar, at: position)
        }
        guard let template = PlaceholderTemplate(parsing: scalar.string),
              let text = template.render({ bindings[$0]?.text }) else { return nil }
        // Quotes were only there to protect the placeholder; the substituted text is read like a
        // plain scalar, so `count: "${rules}"` is still a number.
        return ScalarValue(text: text, isPlain: true, site: site(for: template.parameterNames, usedAt: position))
    }

    /// Blames the first parameter's value, and says where it was used.
    private func site(for names: [String], usedAt use: SourcePosition) -> Site {
        let first = names[0]
        let used = "used at \(log.location(use))"
        let listed = names.count == 1 ? "parameter '\(first)'" : "parameters " + nameList(names)
        switch bindings[first]!.origin {
        case .file(let position):
            return Site(position, note: "(\(listed) \(names.count == 1 ? "value" : "values") \(used))")
        case .commandLine(let declaration):
            return Site(declaration, note: "(\(listed) set by --set, \(used))")
        }
    }

    private func nameList(_ names: [String]) -> String {
        let quoted = names.map { "'\($0)'" }
        return quoted.dropLast().joined(separator: ", ") + " and " + quoted.last!
    }
}
