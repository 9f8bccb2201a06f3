import LabResults

/// Cases and repeats that did not produce numbers, with their reasons: a failure is a result, and
/// hiding it would make the tables lie by omission.
struct FailedCasesSection {
    let record: RunRecord

    var text: String {
        var table = MarkdownTable(headers: ["case", "status", "reason"])
        for item in record.cases where item.status != .ok {
            table.append([item.id, item.status.rawValue, item.reason ?? "no reason recorded"])
        }
        for item in record.cases {
            for attempt in item.repeats {
                guard let failure = attempt.failure else { continue }
                let which = attempt.warmup ? "warm-up" : "repeat"
                table.append(["\(item.id)", "\(which) \(attempt.index) failed", failure])
            }
        }
        let body = table.isEmpty ? "Every case ran every repeat.\n" : table.text
        return "## Failed and skipped cases\n\n" + body
    }
}

/// Per case, whether the backend enforced the same verdicts as the reference evaluator, and for a
/// mismatch, the flows that differ (DESIGN.md, "Equivalence before measurement").
struct EquivalenceSection {
    let record: RunRecord

    var text: String {
        var table = MarkdownTable(headers: ["case", "probes", "verdict"], alignments: [.left, .right, .left])
        for item in record.cases {
            guard let check = item.equivalence else {
                table.append([item.id, "–", "not checked"])
                continue
            }
            let verdict = check.passed
                ? "✅ all agree with the reference"
                : "❌ \(check.mismatches.count) of \(check.probes) differ"
            table.append([item.id, "\(check.probes)", verdict])
        }
        var out = "## Equivalence\n\n" + (table.isEmpty ? "No cases.\n" : table.text)
        for item in record.cases {
            guard let check = item.equivalence, !check.passed else { continue }
            var flows = MarkdownTable(headers: ["flow", "expected", "observed"])
            for mismatch in check.mismatches { flows.append([inlineCode(mismatch.flow), mismatch.expected, mismatch.observed]) }
            out += "\n### \(item.id): flows that differ\n\n" + flows.text
        }
        return out
    }
}
