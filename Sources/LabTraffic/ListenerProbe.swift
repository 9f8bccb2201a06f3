import Foundation
import LabNetwork
import LabSystem

/// Waits until a server inside a namespace is bound to its port, by reading that namespace's own
/// /proc/net tables (no test connection: iperf3 -1 would take a probe connection for its one test).
public enum ListenerProbe {
    public static func waitForListener(namespace: String, port: UInt16, transport: TransportProtocol,
                                       timeout: Double = 5, process: BackgroundProcess? = nil) throws {
        let deadline = Deadline(secondsFromNow: timeout)
        while true {
            try Cancellation.shared.checkpoint()
            if try isListening(namespace: namespace, port: port, transport: transport) { return }
            if let process, let status = process.exitStatus {
                let detail = process.readStderr().split(separator: "\n").last.map(String.init) ?? "no output"
                throw LabFailure("`\(process.command)` exited \(status) before listening on port \(port): \(detail)")
            }
            if deadline.hasPassed {
                throw LabFailure("nothing listens on \(transport) port \(port) in namespace \(namespace) after \(timeout) s")
            }
            usleep(10_000)
        }
    }

    public static func isListening(namespace: String, port: UInt16, transport: TransportProtocol) throws -> Bool {
        let table = try NetworkNamespace.run(in: namespace) {
            // /proc/thread-self/net follows the calling thread's namespace, which run(in:) switched.
            (try? String(contentsOfFile: "/proc/thread-self/net/\(transport.rawValue)", encoding: .utf8)) ?? ""
        }
        return boundPorts(inProcNetTable: table, listeningOnly: transport == .tcp).contains(port)
    }

    /// Local ports in a /proc/net/{tcp,udp} table; TCP sockets only in LISTEN (state 0A) when asked.
    public static func boundPorts(inProcNetTable text: String, listeningOnly: Bool) -> Set<UInt16> {
        var ports = Set<UInt16>()
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 3, let colon = fields[1].lastIndex(of: ":"),
                  let port = UInt16(fields[1][fields[1].index(after: colon)...], radix: 16) else { continue }
            if listeningOnly && fields[3] != "0A" { continue }
            ports.insert(port)
        }
        return ports
    }
}
