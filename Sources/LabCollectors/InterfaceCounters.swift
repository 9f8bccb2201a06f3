import Foundation
import LabSystem

/// Packet and byte counters of one interface inside a namespace (`ip -s -j link`, stats64).
public struct InterfaceCounters: Sendable, Equatable {
    public var rxPackets: UInt64
    public var rxBytes: UInt64
    public var rxDropped: UInt64
    public var txPackets: UInt64
    public var txBytes: UInt64
    public var txDropped: UInt64

    public init(rxPackets: UInt64, rxBytes: UInt64, rxDropped: UInt64, txPackets: UInt64, txBytes: UInt64, txDropped: UInt64) {
        self.rxPackets = rxPackets
        self.rxBytes = rxBytes
        self.rxDropped = rxDropped
        self.txPackets = txPackets
        self.txBytes = txBytes
        self.txDropped = txDropped
    }

    public static func read(interface: String, namespace: String) throws -> InterfaceCounters {
        let result = try Subprocess.run(Command("ip", ["-n", namespace, "-s", "-j", "link", "show", "dev", interface]), timeout: 10)
        try result.requireSuccess("read counters of \(interface) in \(namespace)")
        return try parse(result.stdout, interface: interface)
    }

    public static func parse(_ json: String, interface: String) throws -> InterfaceCounters {
        guard let list = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]],
              let link = list.first(where: { $0["ifname"] as? String == interface }),
              let stats = link["stats64"] as? [String: Any],
              let rx = stats["rx"] as? [String: Any], let tx = stats["tx"] as? [String: Any] else {
            throw LabFailure("`ip -s -j link` output has no stats64 for \(interface)")
        }
        func value(_ table: [String: Any], _ key: String) -> UInt64 { (table[key] as? NSNumber)?.uint64Value ?? 0 }
        return InterfaceCounters(rxPackets: value(rx, "packets"), rxBytes: value(rx, "bytes"), rxDropped: value(rx, "dropped"),
                                 txPackets: value(tx, "packets"), txBytes: value(tx, "bytes"), txDropped: value(tx, "dropped"))
    }

    public func delta(since before: InterfaceCounters) -> InterfaceCounters {
        InterfaceCounters(rxPackets: rxPackets &- before.rxPackets, rxBytes: rxBytes &- before.rxBytes,
                          rxDropped: rxDropped &- before.rxDropped, txPackets: txPackets &- before.txPackets,
                          txBytes: txBytes &- before.txBytes, txDropped: txDropped &- before.txDropped)
    }
}
