import Foundation

/// ctnetlink messages captured from this machine's kernel (6.18) in a lab namespace, by
/// `BENCHLAB_CONNTRACK_CAPTURE=<dir> swift test --filter ConntrackNetlinkMeasurements` (as root):
/// - ct-stats-count.bin: the IPCTNL_MSG_CT_GET_STATS reply with 3 entries in the table;
/// - ct-stats-cpu.bin: the IPCTNL_MSG_CT_GET_STATS_CPU dump (2 CPUs, NLMSG_DONE) after 3 inserts;
/// - ct-destroy-events.bin: the three destroy events `conntrack -F` sent (TCP, ICMP echo, UDP),
///   with nf_conntrack_timestamp on.
enum ConntrackNetlinkFixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/conntrack")

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// The netlink messages in `bytes`, each with its padding, in order.
    static func messages(_ bytes: [UInt8]) -> [[UInt8]] {
        var result: [[UInt8]] = []
        var offset = 0
        while offset + 4 <= bytes.count {
            let length = Int(UInt32(littleEndian: bytes[offset..<offset + 4].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }))
            guard length >= 16 else { break }
            let padded = min((length + 3) & ~3, bytes.count - offset)
            result.append(Array(bytes[offset..<offset + padded]))
            offset += padded
        }
        return result
    }

    /// `message` without its top-level attribute of `type` (length fixed up): an event as a kernel
    /// without nf_conntrack_timestamp would send it.
    static func removingAttribute(_ type: UInt16, from message: [UInt8]) -> [UInt8] {
        var kept = Array(message[0..<20])
        var offset = 20
        let end = Int(UInt32(littleEndian: message[0..<4].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }))
        while offset + 4 <= end {
            let length = Int(UInt16(message[offset]) | UInt16(message[offset + 1]) << 8)
            let attributeType = (UInt16(message[offset + 2]) | UInt16(message[offset + 3]) << 8) & 0x7fff
            let padded = min((length + 3) & ~3, message.count - offset)
            if attributeType != type { kept += message[offset..<offset + padded] }
            offset += padded
        }
        let newLength = UInt32(kept.count)
        withUnsafeBytes(of: newLength.littleEndian) { kept.replaceSubrange(0..<4, with: $0) }
        return kept
    }
}
