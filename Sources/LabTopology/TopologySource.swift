/// Where a scenario's topology comes from: a preset by name, or a spec written in the file.
public enum TopologySource: Sendable, Equatable {
    case preset(TopologyPreset)
    case custom(TopologySpec)

    /// What run.json and reports record: the preset's name, or "custom".
    public var name: String {
        switch self {
        case .preset(let preset): return preset.name
        case .custom: return "custom"
        }
    }

    public var spec: TopologySpec {
        switch self {
        case .preset(let preset): return preset.spec
        case .custom(let spec): return spec
        }
    }
}
