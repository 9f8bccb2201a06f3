import CNetfilterConntrack

/// Decodes ctnetlink statistics replies from their bytes (as received, or as captured in a
/// fixture). Pure: no socket.
public enum ConntrackStatsDecoder {
    /// The reply to IPCTNL_MSG_CT_GET_STATS: one message with CTA_STATS_GLOBAL_ENTRIES and _MAX_ENTRIES.
    public static func tableCount(_ bytes: some Collection<UInt8>) throws -> ConntrackTableCount {
        let context = "nf_conntrack table count reply"
        var result: ConntrackTableCount?
        try NetlinkBuffer(bytes).forEachMessage(context: context) { message in
            if try ConntrackMessage.control(message, context: context) != nil { return }
            guard message.pointee.nlmsg_type == ConntrackMessage.getStats else {
                throw NetlinkDecodeError(context, "unexpected message type 0x\(String(message.pointee.nlmsg_type, radix: 16))")
            }
            let attributes = try NetlinkAttributes(message, context: context)
            guard let entries = try attributes.bigEndianUInt32(UInt16(CTA_STATS_GLOBAL_ENTRIES.rawValue), context: context) else {
                throw NetlinkDecodeError(context, "no CTA_STATS_GLOBAL_ENTRIES attribute")
            }
            guard let limit = try attributes.bigEndianUInt32(UInt16(CTA_STATS_GLOBAL_MAX_ENTRIES.rawValue), context: context) else {
                throw NetlinkDecodeError(context, "no CTA_STATS_GLOBAL_MAX_ENTRIES attribute (kernel older than 4.18?)")
            }
            result = ConntrackTableCount(entries: Int(entries), maxEntries: Int(limit))
        }
        guard let result else { throw NetlinkDecodeError(context, "no statistics message in the reply") }
        return result
    }

    /// The IPCTNL_MSG_CT_GET_STATS_CPU dump: one message per possible CPU, then NLMSG_DONE. A dump
    /// without its NLMSG_DONE is incomplete and refused.
    public static func perCPU(_ bytes: some Collection<UInt8>) throws -> [ConntrackCPUStatistics] {
        let context = "nf_conntrack per-CPU statistics dump"
        var cpus: [ConntrackCPUStatistics] = []
        var done = false
        try NetlinkBuffer(bytes).forEachMessage(context: context) { message in
            guard !done else { throw NetlinkDecodeError(context, "messages after NLMSG_DONE") }
            if let control = try ConntrackMessage.control(message, context: context) {
                done = control == .done
                return
            }
            guard message.pointee.nlmsg_type == ConntrackMessage.getStatsCPU else {
                throw NetlinkDecodeError(context, "unexpected message type 0x\(String(message.pointee.nlmsg_type, radix: 16))")
            }
            let cpu = Int(NetlinkAttributes.resourceID(message))
            let attributes = try NetlinkAttributes(message, context: "\(context), CPU \(cpu)")
            var counters: [String: UInt64] = [:]
            for (name, type) in ConntrackStatistic.attributes {
                counters[name] = UInt64(try attributes.bigEndianUInt32(type, context: "\(context), CPU \(cpu)") ?? 0)
            }
            cpus.append(ConntrackCPUStatistics(cpu: cpu, counters: counters))
        }
        guard done else { throw NetlinkDecodeError(context, "the dump ends without NLMSG_DONE (truncated)") }
        return cpus
    }
}
