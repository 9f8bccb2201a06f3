import Foundation
import LabSystem

/// iproute2, the one tool the topology is built with. `-batch` applies many changes in one process
/// (a routed topology is ~30 changes; one process per change would dominate set-up time).
public enum IPCommand {
    public static func run(_ arguments: [String], doing what: String) throws {
        try Subprocess.run(Command("ip", arguments), timeout: 30).requireSuccess(what)
    }

    public static func batch(_ lines: [String], in namespace: String) throws {
        let result = try Subprocess.run(Command("ip", ["-n", namespace, "-batch", "-"]),
                                        input: lines.joined(separator: "\n") + "\n", timeout: 30)
        guard result.succeeded else {
            throw LabFailure("configure namespace \(namespace): \(IPCommand.explain(result, lines))")
        }
    }

    /// Turns "Command failed -:7" into the line that failed and ip's own complaint.
    static func explain(_ result: CommandResult, _ lines: [String]) -> String {
        let stderr = result.stderr.split(separator: "\n").map(String.init)
        let complaint = stderr.first { !$0.hasPrefix("Command failed") } ?? "ip exited \(result.status)"
        if let failed = stderr.first(where: { $0.hasPrefix("Command failed -:") }),
           let number = Int(failed.dropFirst("Command failed -:".count)), number >= 1, number <= lines.count {
            return "`ip \(lines[number - 1])`: \(complaint)"
        }
        return complaint
    }
}

/// Sysctls of one namespace, written in-process through /proc/sys while the thread is inside it.
public enum NamespaceSysctls {
    public static func apply(_ values: [(String, String)], in namespace: String) throws {
        try NetworkNamespace.run(in: namespace) {
            for (key, value) in values {
                let path = "/proc/sys/" + key.replacingOccurrences(of: ".", with: "/")
                do { try value.write(toFile: path, atomically: false, encoding: .utf8) } catch {
                    throw LabFailure("set \(key)=\(value) in namespace \(namespace): \(error.localizedDescription)")
                }
            }
        }
    }

    public static func read(_ key: String, in namespace: String) throws -> String {
        try NetworkNamespace.run(in: namespace) {
            let path = "/proc/sys/" + key.replacingOccurrences(of: ".", with: "/")
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw LabFailure("read \(key) in namespace \(namespace): no such sysctl", exitStatus: .missingFeature)
            }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }
}
