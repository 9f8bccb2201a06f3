import Foundation
import LabSystem

/// Reading and writing run.json. Output is pretty-printed with sorted keys so that two runs diff
/// cleanly and golden files are stable.
public enum RunRecordCoding {
    public static func encode(_ record: RunRecord) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        var data = try encoder.encode(record)
        data.append(0x0a)
        return data
    }

    public static func decode(_ data: Data) throws -> RunRecord {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(RunRecord.self, from: data)
    }

    /// Loads a run.json (or a run directory containing one), with errors that name the file.
    public static func load(path: String) throws -> RunRecord {
        var isDirectory: ObjCBool = false
        var file = path
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            file = (path as NSString).appendingPathComponent("run.json")
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw RunRecordError.missing(path: file)
        }
        let record: RunRecord
        do {
            record = try decode(data)
        } catch let error as DecodingError {
            throw RunRecordError.unreadable(path: file, detail: describe(error))
        }
        guard RunRecord.readableSchemas.contains(record.schema) else {
            throw RunRecordError.incompatibleSchema(path: file, found: record.schema)
        }
        return record
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            return "missing key '\(key.stringValue)' at \(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(context.debugDescription) at \(path(context))"
        @unknown default:
            return String(describing: error)
        }
    }

    static func path(_ context: DecodingError.Context) -> String {
        let parts = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }
        return parts.isEmpty ? "top level" : parts.joined()
    }
}

public enum RunRecordError: LabError, Equatable {
    case missing(path: String)
    case unreadable(path: String, detail: String)
    case incompatibleSchema(path: String, found: String)

    /// `compare` maps these to its own baseline exit codes; elsewhere a bad run file is bad input.
    public var exitStatus: ExitStatus { .badInput }

    public var description: String {
        switch self {
        case .missing(let path): return "\(path): no such run record"
        case .unreadable(let path, let detail): return "\(path): not a benchlab run.json (\(detail))"
        case .incompatibleSchema(let path, let found):
            return "\(path): schema \(found) is not one this benchlab reads (\(RunRecord.readableSchemas.joined(separator: ", "))); re-run with this benchlab or use a matching version"
        }
    }
}
