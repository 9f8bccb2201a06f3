/// One chart: a gnuplot script and its data file, rendered to `<name>.svg` next to them in charts/.
/// Scripts and data are plain text so a reader can restyle a chart and re-render it by hand.
public struct Chart: Sendable, Equatable {
    /// File stem, unique in the run: "tcp-throughput-throughput_gbps".
    public let name: String
    public let title: String
    /// The workload section the chart belongs to in report.md.
    public let workload: String
    public let script: String
    public let data: String

    public var scriptFile: String { "\(name).gp" }
    public var dataFile: String { "\(name).dat" }
    public var imageFile: String { "\(name).svg" }

    /// A name safe as a file name on any system: letters, digits, '.', '_', '-'.
    static func fileStem(_ parts: String...) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        return parts.joined(separator: "-").map { allowed.contains($0) ? $0 : "-" }.reduce(into: "") { $0.append($1) }
    }
}
