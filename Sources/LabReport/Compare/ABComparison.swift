import Foundation
import LabResults
import LabSystem

/// What `benchlab compare --paired` was asked: two sides, each a run or a directory of per-round runs.
public struct PairedRequest: Sendable, Equatable {
    public var basePath: String
    public var candidatePath: String
    public var threshold: Double
    public var fdr: Double
    public var metrics: [String]
    public var json: Bool

    public init(basePath: String, candidatePath: String, threshold: Double = 0.05, fdr: Double = 0.05,
                metrics: [String] = [], json: Bool = false) {
        self.basePath = basePath
        self.candidatePath = candidatePath
        self.threshold = threshold
        self.fdr = fdr
        self.metrics = metrics
        self.json = json
    }
}

public struct PairedOutcome: Sendable {
    public let report: PairedReport
    public let output: String
    public var exitStatus: ExitStatus { report.exitStatus }
}

/// `compare --paired` as a library function. A base that cannot be read is "baseline missing" (7),
/// like the committed baseline, so scripts fall back the same way.
public enum ABComparison {
    public static func run(_ request: PairedRequest) throws -> PairedOutcome {
        let base: RoundSet
        do {
            base = try RoundSet.load(request.basePath)
        } catch let error as RunRecordError {
            throw CompareError.baselineMissing(path: request.basePath, detail: error.description)
        }
        let candidate = try RoundSet.load(request.candidatePath)
        let report = try PairedRunComparison.compare(base: base, candidate: candidate, threshold: request.threshold,
                                                     fdr: request.fdr, metrics: request.metrics)
        let output = request.json ? try json(report) : PairedMarkdown(report: report).text
        return PairedOutcome(report: report, output: output)
    }

    public static func json(_ report: PairedReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
    }

    /// The runner options that re-measure only the flagged cases, one per line, for scripts:
    /// `--backends a,b` and one `--set name=v1,v2` per parameter the flagged cases set.
    public static func confirmationArguments(_ report: PairedReport) -> [String] {
        guard !report.flaggedCases.isEmpty else { return [] }
        var backends: [String] = []
        for flagged in report.flaggedCases where !backends.contains(flagged.backend) { backends.append(flagged.backend) }
        var lines = ["--backends", backends.joined(separator: ",")]
        let names = Set(report.flaggedCases.flatMap(\.parameters.keys)).sorted()
        for name in names {
            var values: [String] = []
            for flagged in report.flaggedCases {
                if let value = flagged.parameters[name], !values.contains(value) { values.append(value) }
            }
            lines += ["--set", "\(name)=\(values.joined(separator: ","))"]
        }
        return lines
    }
}
