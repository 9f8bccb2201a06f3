import LabResults
import LabTraffic

/// "Connection tracking": the `conntrack-gc` phases side by side per tracker — how late expired
/// entries went, how long the table took to empty, what a full table refused or broke, what the
/// churn race broke, and what the lab's collector cost — followed by what the numbers say in plain
/// words. Empty when no case ran the conntrack-gc workload.
struct ConntrackSection {
    let run: RunAnalysis
    static let workload = ConntrackGCWorkload.kind

    /// The tracker a backend uses, by the naming convention of the backends (README, "Backends").
    static func tracker(backend: String, family: BackendFamily?) -> String {
        if backend.hasSuffix("-ct-lru") { return "BPF LRU hash" }
        if backend.hasSuffix("-ct-swept") { return "BPF hash + sweeper" }
        if backend.hasSuffix("-ct-kfunc") { return "nf_conntrack via kfuncs" }
        if family == .netfilter { return "nf_conntrack" }
        return "none"
    }

    private typealias M = ConntrackGCMetrics

    var text: String {
        let cases = run.cases.filter { item in item.metrics.keys.contains { $0.workload == Self.workload } }
        guard !cases.isEmpty else { return "" }
        var out = "## Connection tracking\n\n"
        out += "The `conntrack-gc` phases, medians of the counted repeats. *GC lag* is, per fill flow, the time its entry "
            + "left the table minus the time it expired (last packet + the udp timeout); *time to empty* runs from the last "
            + "fill flow's expiry to the table being back at its size before the fill. Table full: the table is shrunk, "
            + "long-lived flows keep running, and twice the table in new UDP flows floods it while new TCP connections are tried.\n\n"
        var table = MarkdownTable(headers: ["case", "tracker", "fill flows/s", "GC lag p50 ms", "GC lag p99 ms", "time to empty s",
                                            "left", "GC CPU ms", "churn broken", "full: refused", "full: est. broken",
                                            "full: drops", "full: early drops", "recovery s"],
                                  alignments: [.left, .left] + Array(repeating: .right, count: 12))
        for item in cases {
            func cell(_ metric: String, count: Bool = false) -> String {
                guard let value = item.metrics[MetricID(workload: Self.workload, metric: metric)]?.median else { return "—" }
                return count ? NumberText.count(value) : NumberText.value(value)
            }
            table.append([item.id, Self.tracker(backend: item.backend, family: item.family), cell(M.fillRate.name),
                          cell(M.lagP50.name), cell(M.lagP99.name), cell(M.timeToEmpty.name), cell(M.entriesLeft.name, count: true), cell(M.gcCPU.name),
                          cell(M.churnBroken.name, count: true), cell(M.fullRefused.name, count: true), cell(M.fullEstablishedBroken.name, count: true),
                          cell(M.fullDrops.name, count: true), cell(M.fullEarlyDrops.name, count: true), cell(M.fullRecovery.name)])
        }
        out += table.text + "\n"
        out += "A dash is a figure the tracker cannot give: an LRU map deletes nothing itself, so it has no GC lag and may never empty; "
            + "only nf_conntrack drops entries early. The fill % over time per tracker is charted under Charts (`ct_fill_percent`).\n\n"
        let sentences = cases.compactMap { reading($0) }
        if !sentences.isEmpty { out += "What it measured:\n\n" + sentences.map { "- \($0)\n" }.joined() }
        return out
    }

    /// One plain-words line per case, from its numbers.
    private func reading(_ item: CaseAnalysis) -> String? {
        func value(_ metric: String) -> Double? { item.metrics[MetricID(workload: Self.workload, metric: metric)]?.median }
        let tracker = Self.tracker(backend: item.backend, family: item.family)
        var parts: [String] = []
        if let p50 = value(M.lagP50.name), let p99 = value(M.lagP99.name) {
            parts.append("reclaimed expired entries \(NumberText.value(p50)) ms late at the median (p99 \(NumberText.value(p99)) ms)")
        } else if let empty = value(M.timeToEmpty.name) {
            parts.append("emptied its table \(NumberText.value(empty)) s after the last flow expired (no deletion was seen one by one, "
                         + "so there is no per-flow lag)")
        } else if let left = value(M.entriesLeft.name), left > 0 {
            parts.append("left \(NumberText.count(left)) expired entries in the table (nothing deletes them until the map needs room)")
        }
        if let refused = value(M.fullRefused.name), let broken = value(M.fullEstablishedBroken.name) {
            let early = value(M.fullEarlyDrops.name).map { $0 > 0 ? ", dropping \(NumberText.count($0)) entries early to make room" : "" } ?? ""
            parts.append("with the table full it refused \(NumberText.count(refused)) new connections and broke "
                         + "\(NumberText.count(broken)) long-lived flows\(early)")
        }
        if let churn = value(M.churnBroken.name) {
            parts.append("the churn race broke \(NumberText.count(churn)) short connections")
        }
        guard !parts.isEmpty else { return nil }
        return "**\(item.id)** (\(tracker)): " + parts.joined(separator: "; ") + "."
    }
}
