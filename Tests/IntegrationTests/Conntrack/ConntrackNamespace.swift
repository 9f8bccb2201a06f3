#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LabConntrack
import LabNetwork
import LabSystem
import LabTestSupport
import LabTopology

/// A bare lab namespace for one nf_conntrack test, journaled and deleted afterwards (also when the
/// test throws): deleting it takes its conntrack table, sysctls and sockets with it.
struct ConntrackNamespace {
    let name: String

    static func with<T>(_ label: String, _ body: (ConntrackNamespace) throws -> T) throws -> T {
        try withTestJournal("conntrack-\(label)") { journal in
            let name = "\(LabNames.prefix)-\(journal.id)-ct"
            try journal.record(.deleteNamespace(name))
            try Subprocess.run(Command("ip", ["netns", "add", name]), timeout: 10).requireSuccess("create \(name)")
            defer { _ = try? Subprocess.run(Command("ip", ["netns", "delete", name]), timeout: 10, cancellable: false) }
            let namespace = ConntrackNamespace(name: name)
            try namespace.run("ip", ["link", "set", "lo", "up"])
            return try body(namespace)
        }
    }

    /// `executable arguments` inside the namespace; its stdout.
    @discardableResult
    func run(_ executable: String, _ arguments: [String]) throws -> String {
        try Subprocess.run(Command(executable, arguments).inNamespace(name), timeout: 30).requireSuccess().stdout
    }

    func sysctl(_ key: String, _ value: String) throws {
        try run("sysctl", ["-q", "-w", "\(key)=\(value)"])
    }

    /// One UDP entry made by ctnetlink (`conntrack -I`), as a flow from 198.18.0.1:`sourcePort` to 198.18.0.2:53.
    func insertUDP(sourcePort: UInt16, timeout: Int) throws {
        try run("conntrack", ["-I", "-p", "udp", "-s", "198.18.0.1", "-d", "198.18.0.2", "--sport", "\(sourcePort)",
                              "--dport", "53", "-t", "\(timeout)"])
    }

    func deleteUDP(sourcePort: UInt16) throws {
        try run("conntrack", ["-D", "-p", "udp", "-s", "198.18.0.1", "-d", "198.18.0.2", "--sport", "\(sourcePort)", "--dport", "53"])
    }

    static func udpFlow(sourcePort: UInt16) -> TrackedFlow {
        TrackedFlow(proto: 17, source: IPv4Address("198.18.0.1")!, destination: IPv4Address("198.18.0.2")!,
                    sourcePort: sourcePort, destinationPort: 53)
    }

    /// `conntrack -C`.
    func toolCount() throws -> Int {
        guard let count = Int(try run("conntrack", ["-C"]).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw LabFailure("conntrack -C printed no number")
        }
        return count
    }

    /// `conntrack -S`, by CPU then counter name.
    func toolStatistics() throws -> [Int: [String: UInt64]] {
        var result: [Int: [String: UInt64]] = [:]
        for line in try run("conntrack", ["-S"]).split(whereSeparator: \.isNewline) {
            var cpu: Int?
            var counters: [String: UInt64] = [:]
            for field in line.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
                let pair = field.split(separator: "=", maxSplits: 1)
                guard pair.count == 2 else { continue }
                if pair[0] == "cpu" { cpu = Int(pair[1]) } else { counters[String(pair[0])] = UInt64(pair[1]) }
            }
            if let cpu { result[cpu] = counters }
        }
        return result
    }

    /// Sends one UDP datagram from 127.0.0.1 to each port in `ports` inside the namespace: with a
    /// conntrack-using rule in the output hook, each is a new entry. Returns datagrams sent.
    func sendUDP(toPorts ports: ClosedRange<UInt16>) throws -> Int {
        try NetworkNamespace.run(in: name) {
            let fd = try systemCall("udp socket") { socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0) }
            defer { close(fd) }
            var sent = 0
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
            let payload: [UInt8] = [1]
            for port in ports {
                address.sin_port = port.bigEndian
                let rc = withUnsafePointer(to: &address) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, payload, 1, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
                if rc == 1 { sent += 1 }
            }
            return sent
        }
    }
}

