import Foundation
import LabSystem

/// The one place agent requests and replies are encoded and decoded.
///
/// Protocol: the driver runs `benchlab agent '<request JSON>'` (one argument, `AgentRequest`'s
/// encoding) inside a namespace. Long-lived agents (rr-server, probe-sink, pps-sink) print the line
/// `ready` once their sockets are bound. An agent with a result prints it as the last line of its
/// stdout: one JSON object (or array) with sorted keys; anything before it is ignored. A failure is
/// a non-zero exit status with one line on stderr.
public enum AgentChannel {
    /// What a listening agent prints once it can be reached.
    public static let readyLine = "ready"

    /// The command line running `request` with `executable` (the benchlab binary).
    public static func command(_ request: AgentRequest, executable: String) -> Command {
        Command(executable, ["agent", encode(request)])
    }

    public static func encode(_ request: AgentRequest) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Every field is a plain number, string or list: encoding cannot fail.
        return String(decoding: try! encoder.encode(request), as: UTF8.self)
    }

    /// The agent side: the request from its one argument.
    public static func decodeRequest(_ argument: String) throws -> AgentRequest {
        do {
            return try JSONDecoder().decode(AgentRequest.self, from: Data(argument.utf8))
        } catch {
            throw LabFailure("agent request is not valid: \(DecodingFailure.describe(error))", exitStatus: .badInput)
        }
    }

    /// The agent side: prints `reply` as the last line of stdout.
    public static func reply<Reply: Encodable>(_ reply: Reply) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(reply), as: UTF8.self))
        fflush(nil)
    }

    /// The agent side: says the agent's sockets are bound.
    public static func announceReady() {
        print(readyLine)
        fflush(nil)
    }

    /// The driver side: the reply on the last line of `output`. `what` names the agent in the error
    /// ("w: agent pps-sink printed no report: …").
    public static func decodeReply<Reply: Decodable>(_ type: Reply.Type, from output: String, _ what: String) throws -> Reply {
        guard let line = output.split(separator: "\n").last,
              let value = try? JSONDecoder().decode(Reply.self, from: Data(line.utf8)) else {
            throw LabFailure("\(what) printed no report: \(output.prefix(200))")
        }
        return value
    }
}

/// A decoding error as one line (the default description is a multi-line dump).
enum DecodingFailure {
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .dataCorrupted(let context): return path(context) + context.debugDescription
        case .keyNotFound(let key, let context): return path(context) + "missing '\(key.stringValue)'"
        case .typeMismatch(_, let context): return path(context) + context.debugDescription
        case .valueNotFound(_, let context): return path(context) + context.debugDescription
        @unknown default: return "\(error)"
        }
    }

    private static func path(_ context: DecodingError.Context) -> String {
        let keys = context.codingPath.map(\.stringValue).filter { !$0.isEmpty }
        return keys.isEmpty ? "" : keys.joined(separator: ".") + ": "
    }
}
