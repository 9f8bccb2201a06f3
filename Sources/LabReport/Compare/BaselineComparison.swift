import Foundation
import LabResults
import LabSystem

/// What `benchlab compare` was asked.
public struct CompareRequest: Sendable, Equatable {
    public var baselinePath: String
    public var currentPath: String
    /// Fraction: 0.05 for 5%.
    public var threshold: Double
    public var metrics: [String]
    public var json: Bool

    public init(baselinePath: String, currentPath: String, threshold: Double = 0.05, metrics: [String] = [], json: Bool = false) {
        self.baselinePath = baselinePath
        self.currentPath = currentPath
        self.threshold = threshold
        self.metrics = metrics
        self.json = json
    }
}

/// What `benchlab compare` prints and how it exits.
public struct CompareOutcome: Sendable {
    public let result: ComparisonReport
    /// Markdown, or JSON with `--json`; ends with a newline.
    public let output: String
    public var exitStatus: ExitStatus { result.exitStatus }
}

/// `benchlab compare` as a library function, so tests need no process: load both runs, mapping file
/// problems to the baseline exit codes, compare, and format.
public enum BaselineComparison {
    public static func run(_ request: CompareRequest) throws -> CompareOutcome {
        let baseline = try loadBaseline(request.baselinePath)
        let current = try loadCurrent(request.currentPath)
        let result = try RunComparison.compare(baseline: baseline, current: current,
                                               threshold: request.threshold, metrics: request.metrics)
        let output = request.json ? try json(result) : ComparisonMarkdown(result: result).text
        return CompareOutcome(result: result, output: output)
    }

    /// snake_case keys, like run.json.
    public static func json(_ result: ComparisonReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        // A ratio that moves from 0 has an infinite relative change; JSON has no infinity.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(result), as: UTF8.self) + "\n"
    }

    /// Reads `--json` output back, for tools that post-process a comparison.
    public static func decode(json: Data) throws -> ComparisonReport {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(ComparisonReport.self, from: json)
    }

    /// An absent or unreadable baseline is "baseline missing" (7); a readable one of another schema is
    /// "incompatible" (8), even when the schema change also broke decoding.
    static func loadBaseline(_ path: String) throws -> RunRecord {
        do {
            return try RunRecordCoding.load(path: path)
        } catch RunRecordError.missing(let file) {
            throw CompareError.baselineMissing(path: file, detail: "no such file")
        } catch RunRecordError.incompatibleSchema(let file, let found) {
            throw CompareError.incompatible("\(file) has schema \(found), this benchlab reads \(RunRecord.readableSchemas.joined(separator: " and "))")
        } catch RunRecordError.unreadable(let file, let detail) {
            if let schema = declaredSchema(file), !RunRecord.readableSchemas.contains(schema) {
                throw CompareError.incompatible("\(file) has schema \(schema), this benchlab reads \(RunRecord.readableSchemas.joined(separator: " and "))")
            }
            throw CompareError.baselineMissing(path: file, detail: "not a benchlab run.json (\(detail))")
        } catch {
            // Not JSON at all (Foundation reports that outside DecodingError), or another read failure.
            throw CompareError.baselineMissing(path: path, detail: "unreadable (\(error.oneLine))")
        }
    }

    /// The current run is the caller's own input: a bad one is bad input, an old schema incompatible.
    static func loadCurrent(_ path: String) throws -> RunRecord {
        do {
            return try RunRecordCoding.load(path: path)
        } catch RunRecordError.incompatibleSchema(let file, let found) {
            throw CompareError.incompatible("\(file) has schema \(found), this benchlab reads \(RunRecord.readableSchemas.joined(separator: " and "))")
        }
    }

    private struct SchemaProbe: Decodable { let schema: String }

    /// The `schema` field of a run file that does not decode as a whole, if it has one.
    private static func declaredSchema(_ file: String) -> String? {
        guard let data = FileManager.default.contents(atPath: file) else { return nil }
        return try? JSONDecoder().decode(SchemaProbe.self, from: data).schema
    }
}
