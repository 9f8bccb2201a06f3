import CNetfilterConntrack
import LabSystem

/// The ctnetlink message types benchlab sends and reads, and the netlink control messages around them.
enum ConntrackMessage {
    static func type(_ message: cntl_msg_types) -> UInt16 {
        UInt16(NFNL_SUBSYS_CTNETLINK) << 8 | UInt16(message.rawValue)
    }

    static let getStats = type(IPCTNL_MSG_CT_GET_STATS)
    static let getStatsCPU = type(IPCTNL_MSG_CT_GET_STATS_CPU)
    /// A conntrack entry leaving the table (the destroy event's type).
    static let delete = type(IPCTNL_MSG_CT_DELETE)

    enum Control { case done, acknowledged }

    /// nil for an ordinary message; `.done` or `.acknowledged` for the end of a dump or an ack. A
    /// netlink error message throws the errno the kernel gave.
    static func control(_ message: UnsafePointer<nlmsghdr>, context: String) throws -> Control? {
        switch Int32(message.pointee.nlmsg_type) {
        case NLMSG_DONE:
            return .done
        case NLMSG_ERROR:
            guard Int(message.pointee.nlmsg_len) >= MemoryLayout<nlmsghdr>.size + MemoryLayout<nlmsgerr>.size else {
                throw NetlinkDecodeError(context, "an error message too short to hold its errno")
            }
            let error = mnl_nlmsg_get_payload(message)!.assumingMemoryBound(to: nlmsgerr.self).pointee.error
            if error == 0 { return .acknowledged }
            throw SystemCallError(context, errno: -error)
        default:
            return nil
        }
    }
}
