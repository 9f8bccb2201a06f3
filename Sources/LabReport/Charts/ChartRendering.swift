import Foundation
import LabSystem

/// What happened when benchlab tried to turn the chart scripts into SVG. report.md says it, so a
/// reader never follows a link to an image that is not there.
public enum ChartRendering: Sendable, Equatable {
    case rendered
    /// No chart was drawn; the text says why and how to fix it.
    case skipped(String)
    /// Some charts failed: chart name → gnuplot's error message.
    case failed([String: String])

    public static let gnuplotMissing = ChartRendering.skipped(
        "gnuplot is not installed. Install it (`apt-get install \(ToolMissing.package(for: "gnuplot"))`) and run "
            + "`benchlab report <run-dir>` again; the scripts and data are already in charts/.")

    func isRendered(_ chart: Chart) -> Bool {
        switch self {
        case .rendered: return true
        case .skipped: return false
        case .failed(let failures): return failures[chart.name] == nil
        }
    }
}

/// Runs gnuplot on each chart script. gnuplot writes the SVG to stdout and benchlab stores it with
/// `AtomicFile`, so an interrupted render never leaves half an image behind.
struct GnuplotRenderer {
    var executable = "gnuplot"
    var timeoutSeconds = 60.0

    /// Renders every chart whose .gp and .dat are already in `directory`.
    func render(_ charts: [Chart], in directory: String) throws -> ChartRendering {
        var failures: [String: String] = [:]
        for chart in charts {
            // `cd` first: the scripts name their data file relative to charts/, as a reader would run them.
            let command = Command(executable, ["-e", "cd \(GnuplotScript.quote(directory))",
                                               (directory as NSString).appendingPathComponent(chart.scriptFile)])
            let result: CommandResult
            do {
                result = try Subprocess.run(command, timeout: timeoutSeconds)
            } catch is ToolMissing {
                return .gnuplotMissing
            }
            guard result.succeeded, !result.stdout.isEmpty else {
                failures[chart.name] = lastLine(result.stderr) ?? "gnuplot exited \(result.status) without output"
                continue
            }
            try AtomicFile.write(result.stdout, to: (directory as NSString).appendingPathComponent(chart.imageFile))
        }
        return failures.isEmpty ? .rendered : .failed(failures)
    }

    /// gnuplot echoes the offending command and a caret before the message, so the message is last.
    private func lastLine(_ text: String) -> String? {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.last { !$0.isEmpty }
    }
}
