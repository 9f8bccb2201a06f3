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
        out += natCaptureTable
        for item in record.cases {
            guard let check = item.equivalence, !check.passed else { continue }
            var flows = MarkdownTable(headers: ["flow", "expected", "observed"])
            for mismatch in check.mismatches { flows.append([inlineCode(mismatch.flow), mismatch.expected, mismatch.observed]) }
            out += "\n### \(item.id): flows that differ\n\n" + flows.text
        }
        return out
    }

    /// For SNAT cases: what libpcap saw on the external server's side while the probes ran.
    private var natCaptureTable: String {
        let captured = record.cases.compactMap { item in item.equivalence?.natCapture.map { (item.id, $0) } }
        guard !captured.isEmpty else { return "" }
        var table = MarkdownTable(headers: ["case", "packets", "toward server", "translated flows", "egress IPs", "ports", "offending"],
                                  alignments: [.left, .right, .right, .right, .left, .left, .right])
        for (id, capture) in captured {
            let ports = capture.lowestPort.map { low in "\(low)–\(capture.highestPort ?? low)" } ?? "—"
            table.append([id, "\(capture.packetsSeen)", "\(capture.towardServer)", "\(capture.translatedFlows)",
                          capture.egressAddressesUsed.isEmpty ? "none (untranslated)" : capture.egressAddressesUsed.joined(separator: ", "),
                          ports, "\(capture.offendingFlows)"])
        }
        var out = "\nSNAT is proven from the outside: while the probes ran, libpcap captured every interface of the external "
            + "server; every packet toward it must come from an egress IP with a port in the range, and none from a pod address. "
            + "`none` routes untranslated by design and is only recorded.\n\n" + table.text
        for (id, capture) in captured where !capture.offending.isEmpty {
            out += "\n\(id), offending flows seen at the server:\n\n" + capture.offending.map { "- \($0)" }.joined(separator: "\n") + "\n"
        }
        return out
    }
}
