/// A named, built-in topology: what `topology: <name>` in a scenario file means.
public struct TopologyPreset: Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var spec: TopologySpec

    public init(name: String, spec: TopologySpec) {
        self.name = name
        self.spec = spec
    }

    public var description: String { name }
}

/// The registry of presets, in the order messages list them.
///
/// To add a preset: write one file in Sources/LabTopology/Presets that declares
/// `extension TopologyPreset { public static let <name> = TopologyPreset(name: "<name>", spec: …) }`,
/// and add `.<name>` to `all` below. Nothing else changes: scenario files accept the name (with
/// did-you-mean), the builder builds any spec, and the preset tests check every preset is valid.
public enum TopologyPresets {
    public static let all: [TopologyPreset] = [.pair, .routed, .gateway]

    public static var names: [String] { all.map(\.name) }

    public static func named(_ name: String) -> TopologyPreset? { all.first { $0.name == name } }
}
