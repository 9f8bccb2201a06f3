/// What traffic a case drives: one workload of any registered kind. Each workload has a name unique
/// in its scenario (default: derived from its type and protocol, e.g. "tcp-throughput"); results are
/// keyed by it.
public struct Workload: Sendable, Equatable {
    public var definition: any WorkloadDefinition

    public init(_ definition: any WorkloadDefinition) {
        self.definition = definition
    }

    public var name: String { definition.name }

    /// The `type:` key in the scenario file.
    public var kind: String { type(of: definition).kind }

    /// Settings in effect, as one line for reports ("protocol=tcp streams=1 duration=5s").
    public var settings: String { definition.settings }

    /// Upper bound on how long the workload may take, used for child-process deadlines.
    public var maximumSeconds: Double { definition.maximumSeconds }

    /// The programs it runs that the host must have.
    public var requiredTools: [String] { type(of: definition).requiredTools }

    /// The same workload under another name.
    public func renamed(_ name: String) -> Workload {
        var copy = definition
        copy.name = name
        return Workload(copy)
    }

    /// The definition as its concrete kind, nil when it is another kind.
    public func `as`<Definition: WorkloadDefinition>(_ kind: Definition.Type) -> Definition? {
        definition as? Definition
    }

    public static func == (a: Workload, b: Workload) -> Bool { a.definition.isEqual(to: b.definition) }
}

/// "5s", or "250ms" when the duration is not whole seconds.
func formatSeconds(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(Int((seconds * 1000).rounded()))ms"
}
