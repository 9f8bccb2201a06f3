import LabSystem

/// Empties a lab namespace's conntrack table (`conntrack -F`): IPCTNL_MSG_CT_DELETE with no tuple.
/// Each entry leaves with a destroy event, as on any deletion. For phases that must start from an
/// empty table (table-full after a fill), without waiting for the kernel's collector.
public enum ConntrackFlush {
    /// Flushes every family's entries in `namespace`; returns the time taken in milliseconds (the
    /// kernel generates each destroy event inside the request, so it grows with the table).
    @discardableResult
    public static func flush(namespace: String) throws -> Double {
        let socket = try ConntrackNetlinkSocket(namespace: namespace)
        // A big table takes the kernel longer than the default receive timeout to empty.
        try socket.setReceiveTimeout(seconds: 30)
        let context = "flush the conntrack table of namespace \(namespace)"
        let (reply, milliseconds) = try MonotonicClock.measure { try socket.request(ConntrackMessage.delete, dump: false, acknowledge: true) }
        var acknowledged = false
        try NetlinkBuffer(reply).forEachMessage(context: context) { message in
            acknowledged = try ConntrackMessage.control(message, context: context) == .acknowledged || acknowledged
        }
        guard acknowledged else { throw NetlinkDecodeError(context, "the kernel did not acknowledge the flush") }
        return milliseconds
    }
}
