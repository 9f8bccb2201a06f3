/// What a scenario value looks like, as data: the readers' keys come from the same tables
/// (`ScenarioFields`), and `ScenarioSchema` turns the shapes into the JSON Schema editors use.
indirect enum SchemaShape {
    case text(pattern: String?)
    case integer(ClosedRange<Int>)
    case boolean
    /// A number in [0, 1].
    case share
    /// A number in the range.
    case number(ClosedRange<Double>)
    case choice([String])
    /// Text or a number in a unit syntax (durations, sizes, rates), checked by `pattern`.
    case quantity(pattern: String, example: String)
    case list(of: SchemaShape, minimumCount: Int)
    case object([SchemaField], required: [String])
    /// Either shape (a preset name or a custom topology).
    case either(SchemaShape, SchemaShape)
    /// A mapping from parameter names to lists of values.
    case parameters
    /// A mapping from any name to values of one shape (topology attachment points).
    case named(SchemaShape)
    /// A list of workloads, each of a kind in `WorkloadRegistry` with its declared fields.
    case workloads
}

/// One key of a mapping: its shape, and the line an editor shows on hover.
struct SchemaField {
    let key: String
    let shape: SchemaShape
    let summary: String

    init(_ key: String, _ shape: SchemaShape, _ summary: String) {
        self.key = key
        self.shape = shape
        self.summary = summary
    }
}

extension Array where Element == SchemaField {
    var keys: [String] { map(\.key) }
}
