#if canImport(Glibc)
import Glibc
#endif
import CLabShims
import LabSystem

/// The send loop both AF_PACKET generators share (the packet-rate flood, the conntrack flow fill):
/// prebuilt frames of one length in one buffer, sent with sendmmsg in batches, paced, bounded by a
/// count and a deadline. Frame i of the stream is frame i mod `frameCount` of the buffer. A full
/// device queue is back-pressure, not failure: it is counted and the loop yields for it to drain.
struct PacedFrameSender {
    struct Outcome {
        var sent: UInt64
        var busy: Int
        var firstError: String?
        var elapsedSeconds: Double
        /// Open loop: frames the device refused and the loop let go.
        var refused: UInt64 = 0
    }

    /// Opens an AF_PACKET socket on `interface`, after pinning the calling thread to `cpu` if given.
    static func openSocket(on interface: String, pinnedTo cpu: Int?, _ what: String) throws -> Int32 {
        if let cpu { try systemCall("pin the \(what) to CPU \(cpu)") { lab_pin_to_cpu(Int32(cpu)) } }
        let index = if_nametoindex(interface)
        guard index != 0 else { throw SystemCallError("find interface \(interface)", errno: errno) }
        return try systemCall("open an AF_PACKET socket on \(interface)") { lab_packet_tx_socket(Int32(index)) }
    }

    /// Sends `total` frames (at most; fewer when the deadline or a cancellation comes first).
    /// `onSent(first, count)` is told of each batch the kernel took, in order.
    static func send(_ frames: [UInt8], frameLength: Int, frameCount: Int, total: UInt64, packetsPerSecond: Int,
                     durationSeconds: Double, fd: Int32, interface: String, openLoop: Bool = false,
                     onSent: (_ first: UInt64, _ count: Int) -> Void = { _, _ in }) throws -> Outcome {
        let pacer = Pacer(packetsPerSecond: packetsPerSecond)
        var outcome = Outcome(sent: 0, busy: 0, firstError: nil, elapsedSeconds: 0)
        let deadline = Deadline(secondsFromNow: durationSeconds)
        let start = MonotonicClock.nanoseconds()
        // Closed loop: a refused frame is sent again. Open loop: it is lost and the stream moves on.
        var position: UInt64 { outcome.sent + outcome.refused }
        while position < total && !deadline.hasPassed && !Cancellation.shared.isCancelled {
            let due = min(pacer.due(afterNanoseconds: MonotonicClock.nanoseconds() - start, sent: position), total - position)
            guard due > 0 else {
                usleep(pacer.pauseMicroseconds)
                continue
            }
            let first = UInt32(position % UInt64(frameCount))
            let count = UInt32(min(due, UInt64(PacketFlood.batch)))
            let n = frames.withUnsafeBytes {
                lab_sendmmsg_frames(fd, $0.baseAddress, UInt32(frameLength), UInt32(frameCount), first, count)
            }
            if n > 0 {
                onSent(position, Int(n))
                outcome.sent += UInt64(n)
                continue
            }
            let code = errno
            guard code == ENOBUFS || code == EAGAIN || code == EINTR else {
                throw SystemCallError("send frames on \(interface)", errno: code)
            }
            outcome.busy += 1
            outcome.firstError = outcome.firstError ?? String(cString: strerror(code))
            // sendmmsg fails on its first frame: that one is refused; open loop lets it go.
            if openLoop && code != EINTR { outcome.refused += 1 }
            sched_yield()
        }
        outcome.elapsedSeconds = Double(MonotonicClock.nanoseconds() - start) / 1e9
        return outcome
    }
}
