import LabResults
import LabStats

/// report.md: the verdict first, then the context needed to trust it (machine, caveats, failures,
/// equivalence), then every number. Derived from the analysis alone, so rebuilding it from run.json
/// gives the same bytes.
struct ReportMarkdown {
    let run: RunAnalysis
    let charts: ChartPlan
    let rendering: ChartRendering

    var text: String {
        let runTime = RunTimeSection(record: run.record).text
        let conntrack = ConntrackSection(run: run).text
        let snat = [SNATExhaustionSection(run: run).text, MasqueradeDelaySection(run: run).text, EgressFailoverSection(run: run).text]
            .filter { !$0.isEmpty }
        let glance = GlanceSection(run: run).text
        // The two flood scenarios' own readings come right after the tables at a glance: they are
        // what those scenarios are run for.
        let floods = [DropLadderSection(run: run).text, FloodGoodputSection(run: run).text].filter { !$0.isEmpty }
        return ([
            header,
            VerdictSection(run: run).text,
        ] + (glance.isEmpty ? [] : [glance]) + floods + [
            EnvironmentSection(record: run.record).text,
        ] + (runTime.isEmpty ? [] : [runTime]) + [
            FailedCasesSection(record: run.record).text,
            EquivalenceSection(record: run.record).text,
            ResultsSection(run: run, charts: charts, rendering: rendering).text,
            RatioSection(run: run).text,
        ] + (conntrack.isEmpty ? [] : [conntrack]) + snat + [
            chartsSection,
            method,
        ]).joined(separator: "\n")
    }

    private var header: String {
        let record = run.record
        var out = "# benchlab report: \(record.scenario.name)\n\n"
        if !record.scenario.description.isEmpty { out += record.scenario.description + "\n\n" }
        out += "Run \(inlineCode(record.runId)) · benchlab \(record.benchlab.version) (\(record.benchlab.gitRevision)) · "
        out += "started \(record.startedAt)"
        if let finished = record.finishedAt { out += " · finished \(finished)" }
        out += " · status \(record.status.rawValue) · scenario \(inlineCode(record.scenario.sourcePath))\n"
        return out
    }

    private var chartsSection: String {
        var out = "## Charts\n\n"
        switch rendering {
        case _ where charts.charts.isEmpty:
            return out + "This run has nothing to chart.\n"
        case .rendered:
            out += "\(charts.charts.count) charts, drawn by gnuplot from the scripts and data in charts/ "
                + "(re-render one with `cd charts && gnuplot NAME.gp > NAME.svg`).\n"
        case .skipped(let reason):
            out += "Charts were skipped: \(reason)\n"
        case .failed(let failures):
            out += "gnuplot failed on \(failures.count) of \(charts.charts.count) charts:\n\n"
            out += failures.keys.sorted().map { "- \($0): \(failures[$0]!)\n" }.joined()
        }
        return out + "\n" + charts.charts.map { "- \($0.title): [\($0.scriptFile)](charts/\($0.scriptFile))\n" }.joined()
    }

    private var method: String {
        let scenario = run.record.scenario
        return """
        ## Method

        - Cases ran interleaved (A B C A B C …), \(scenario.warmup) warm-up and \(scenario.repeats) counted \
        repeats each; a number is the median of the counted repeats.
        - Intervals are \(Int(StatisticsPolicy.level * 100))% percentile bootstrap intervals of the median \
        (\(StatisticsPolicy.resamples) resamples, fixed seed, so rebuilding the report gives the same \
        numbers). Fewer than \(Bootstrap.minimumSampleCount) samples get no interval. With 3 samples the \
        interval of the median is close to the range of the samples: more repeats give tighter, better-calibrated intervals.
        - Ratios divide medians taken in the same run, which makes them comparable between machines; \
        `benchlab compare` gates on them.
        - summary.csv has every statistic in tidy form (one row per case, workload, metric and statistic).

        """
    }
}
