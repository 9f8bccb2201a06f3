import Foundation
import LabSystem

/// A netfilter tool refused its input. Carries the command, the tool's own error line and, when the
/// tool names a line of its input, that line — so "line 40213 failed" becomes the rule that failed.
public struct NetfilterToolError: LabError {
    public let command: Command
    public let status: Int32
    /// The line of stderr that says what went wrong.
    public let message: String
    /// The input line the tool blamed, with its number.
    public let inputLine: (number: Int, text: String)?

    init(_ result: CommandResult, input: String?) {
        command = result.command
        status = result.status
        let diagnosis = Self.diagnose(result.stderr)
        message = diagnosis.message ?? Self.lastLine(result.stdout) ?? "no output"
        if let number = diagnosis.line, let input {
            let lines = input.split(separator: "\n", omittingEmptySubsequences: false)
            inputLine = lines.indices.contains(number - 1) ? (number, String(lines[number - 1])) : nil
        } else {
            inputLine = nil
        }
    }

    public var exitStatus: ExitStatus {
        let text = message.lowercased()
        if text.contains("operation not permitted") || text.contains("permission denied") { return .notPermitted }
        // The kernel lacks the table or the match: "Table does not exist (do you need to insmod?)",
        // "Couldn't load match `set'", nft's "Could not process rule: No such file or directory";
        // iptables-restore says "unable to initialize table 'raw'" for a table it lacks (no iptable_raw).
        if text.contains("insmod") || text.contains("couldn't load") || text.contains("not supported")
            || text.contains("unable to initialize table") { return .missingFeature }
        return .failure
    }

    public var description: String {
        var text = "`\(command)` exited \(status): \(message)"
        if let inputLine { text += " (input line \(inputLine.number): \(inputLine.text))" }
        return text
    }

    /// The meaningful error line and the input line number, from the three tools' formats:
    ///   iptables-restore: `unknown option "--bogus"` … `Error occurred at line: 4`
    ///   ipset restore:    `ipset v7.17: Error in line 5: The value of the CIDR parameter … is invalid`
    ///   iptables-restore, commit refused: `iptables-restore: line 12 failed`
    ///   nft -f -:         `/dev/stdin:3:12-21: Error: Prefix length 33 is invalid …` then the source
    ///                     line and a caret line (the last line is only `^^^^`, useless on its own).
    static func diagnose(_ stderr: String) -> (message: String?, line: Int?) {
        let lines = stderr.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("Try `") }
        if let nft = lines.first(where: { $0.contains(": Error: ") }) {
            let location = nft.split(separator: ":")
            return (String(nft[nft.range(of: "Error: ")!.lowerBound...]), location.count > 2 ? Int(location[1]) : nil)
        }
        if let ipset = lines.first(where: { $0.contains("Error in line ") }),
           let range = ipset.range(of: "Error in line ") {
            let rest = ipset[range.upperBound...]
            return (String(ipset), Int(rest.prefix { $0.isNumber }))
        }
        // iptables-restore when the kernel refuses the commit: "iptables-restore: line 12 failed".
        if let failed = lines.first(where: { $0.hasSuffix(" failed") && $0.contains(": line ") }),
           let range = failed.range(of: ": line ", options: .backwards) {
            return (String(failed), Int(failed[range.upperBound...].prefix { $0.isNumber }))
        }
        if let marker = lines.firstIndex(where: { $0.hasPrefix("Error occurred at line: ") }) {
            let number = Int(lines[marker].dropFirst("Error occurred at line: ".count))
            return (lines.first ?? lines[marker], number)
        }
        return (lines.last, nil)
    }

    static func lastLine(_ text: String) -> String? {
        text.split(whereSeparator: \.isNewline).last.map { $0.trimmingCharacters(in: .whitespaces) }
    }
}
