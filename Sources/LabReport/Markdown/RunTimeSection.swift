import Foundation
import LabResults

/// Where the run's wall-clock time went: the share spent inside traffic windows (the time the lab
/// exists for) and, phase by phase, the lab's own overhead around them (topology, install,
/// equivalence probes, servers starting, teardown). Records of schema /1 have no phases: no section.
struct RunTimeSection {
    let record: RunRecord

    /// Phase kinds in the order a round runs them; "workload" is shown without its traffic window.
    static let order = [PhaseRecord.topology, PhaseRecord.install, PhaseRecord.equivalence, PhaseRecord.microbenchmarks,
                        "traffic", "workload", PhaseRecord.collectors, PhaseRecord.runTime, PhaseRecord.update, PhaseRecord.remove, PhaseRecord.teardown]
    static let labels = ["traffic": "traffic windows", "workload": "workload set-up (servers, listeners, counters)",
                         PhaseRecord.runTime: "BPF run-time burst", PhaseRecord.collectors: "collectors (reads at window edges)", PhaseRecord.microbenchmarks: "microbenchmarks and entry counts"]

    var text: String {
        let rounds = record.cases.flatMap(\.repeats).filter { !$0.phases.isEmpty }
        guard !rounds.isEmpty else { return "" }
        var totals: [String: Double] = [:]
        var perRound: [String: [Double]] = [:]
        for round in rounds {
            var inRound: [String: Double] = [:]
            for phase in round.phases { inRound[phase.kind, default: 0] += phase.milliseconds }
            // A workload's phase spans its traffic window: count the window once, under traffic.
            if let workload = inRound["workload"] { inRound["workload"] = max(0, workload - (inRound["traffic"] ?? 0)) }
            for (kind, ms) in inRound {
                totals[kind, default: 0] += ms
                perRound[kind, default: []].append(ms)
            }
        }
        let measured = totals.values.reduce(0, +)
        let wall = wallMilliseconds.map { max($0, measured) } ?? measured
        let traffic = totals["traffic"] ?? 0
        var out = "## Where the time went\n\n"
        out += "\(rounds.count) round\(rounds.count == 1 ? "" : "s") took \(seconds(wall)) s of wall-clock time; \(percent(traffic / wall)) of it was "
            + "inside traffic windows, the rest is the lab's own work around them:\n\n"
        var table = MarkdownTable(headers: ["phase", "total s", "share", "per round, median ms"],
                                  alignments: [.left, .right, .right, .right])
        let kinds = Self.order.filter { totals[$0] != nil } + totals.keys.filter { !Self.order.contains($0) }.sorted()
        for kind in kinds {
            let values = perRound[kind, default: []].sorted()
            table.append([Self.labels[kind] ?? kind, seconds(totals[kind]!), percent(totals[kind]! / wall),
                          NumberText.value(values[values.count / 2])])
        }
        if wall > measured {
            table.append(["outside rounds (preflight, run.json writes)", seconds(wall - measured), percent((wall - measured) / wall), "—"])
        }
        return out + table.text
    }

    /// From the run's start to its end, when both are recorded.
    private var wallMilliseconds: Double? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let finished = record.finishedAt, let start = formatter.date(from: record.startedAt),
              let end = formatter.date(from: finished), end > start else { return nil }
        return end.timeIntervalSince(start) * 1000
    }

    private func seconds(_ ms: Double) -> String { String(format: "%.1f", ms / 1000) }
    private func percent(_ share: Double) -> String { String(format: "%.1f%%", share * 100) }
}
