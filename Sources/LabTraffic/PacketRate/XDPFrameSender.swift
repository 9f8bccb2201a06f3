#if canImport(Glibc)
import Glibc
#endif
import CLabShims
import LabSystem

/// The flood's sender: AF_XDP in copy mode on the client's interface (TX only, queue 0, no XDP
/// program, no libxdp). The frame cycle lives in the UMEM once; sending a frame is writing a
/// descriptor that names its chunk, and the kernel copies it into an skb and hands it straight to the
/// device, as AF_PACKET's qdisc bypass does, without a socket message per frame. Measured to cost
/// about 20% less CPU per packet than AF_PACKET + sendmmsg where the path runs on the sender's CPU (PacketFlood's table).
///
/// Same contract as PacedFrameSender: paced by `Pacer`, bounded by a count and a deadline, and exact:
/// a frame the device refuses (a full receive backlog) is taken from the ring but never sent, so it
/// is counted as refused, not sent, and the stream goes on with the next frame of the cycle.
final class XDPFrameSender {
    struct Outcome: Equatable {
        var sent: UInt64
        var sentDenied: UInt64
        var busy: Int
        var firstError: String?
        var elapsedSeconds: Double
        /// Frames the device refused.
        var refused: UInt64 = 0
    }

    /// Room for a few hundred thousand queued frames' skbs: more than any receive queue holds.
    static let openLoopSendBuffer: Int32 = 32 << 20

    private let socket: OpaquePointer
    private let interface: String

    /// Opens the socket on `interface`; throws (with errno) where the kernel has no AF_XDP or the
    /// device will not bind, so the caller can fall back to AF_PACKET and say why.
    init(interface: String, frames: [UInt8], frameLength: Int, frameCount: Int) throws {
        let index = if_nametoindex(interface)
        guard index != 0 else { throw SystemCallError("find interface \(interface)", errno: errno) }
        var handle: OpaquePointer?
        let rc = frames.withUnsafeBytes {
            lab_xsk_open(Int32(index), $0.baseAddress, UInt32(frameLength), UInt32(frameCount), &handle)
        }
        guard rc == 0, let handle else { throw SystemCallError("open an AF_XDP socket (copy mode) on \(interface)", errno: errno) }
        socket = handle
        self.interface = interface
    }

    deinit { lab_xsk_close(socket) }

    /// Sends until `total` frames went out, the deadline passed or the run was cancelled.
    /// `denied[i]` is 1 when frame i of the cycle comes from a denied source.
    /// `openLoop`: pace on frames posted, so a refused frame is lost and not made up for.
    func send(total: UInt64, packetsPerSecond: Int, durationSeconds: Double, denied: [UInt8], openLoop: Bool = false,
              deniedAmongFirst: (UInt64) -> UInt64) throws -> Outcome {
        if openLoop {
            // The default buffer holds the sender back once a few hundred skbs are queued at the
            // receiver: that is closed loop again. Open loop gives it room, so a full receive queue
            // refuses frames instead.
            guard lab_xsk_set_send_buffer(socket, Self.openLoopSendBuffer) == 0 else {
                throw SystemCallError("size the AF_XDP send buffer on \(interface)", errno: errno)
            }
        }
        let pacer = Pacer(packetsPerSecond: packetsPerSecond)
        let deadline = Deadline(secondsFromNow: durationSeconds)
        let start = MonotonicClock.nanoseconds()
        var busy = 0
        var firstError: String?
        try denied.withUnsafeBufferPointer { marks in
            while !deadline.hasPassed && !Cancellation.shared.isCancelled {
                let counts = lab_xsk_counts(socket)
                // Posted and not refused: sent, or on the ring and about to be. Open loop counts the
                // refused ones too: they were offered.
                let going = openLoop ? counts.posted : counts.posted - counts.refused
                guard going < total else { break }
                let due = min(pacer.due(afterNanoseconds: MonotonicClock.nanoseconds() - start, sent: going), total - going)
                guard due > 0 else {
                    usleep(pacer.pauseMicroseconds)
                    continue
                }
                let posted = lab_xsk_send(socket, UInt32(min(due, UInt64(PacketFlood.batch))), marks.baseAddress)
                guard posted >= 0 else { throw SystemCallError("send frames on \(interface) (AF_XDP)", errno: errno) }
                if posted == 0 {
                    busy += 1
                    firstError = firstError ?? "AF_XDP TX ring full"
                }
            }
            // What is on the ring goes out now (a ring's worth is a few ms at most); then it is exact.
            guard lab_xsk_flush(socket, marks.baseAddress, 200) == 0 else {
                throw SystemCallError("send frames on \(interface) (AF_XDP)", errno: errno)
            }
        }
        let counts = lab_xsk_counts(socket)
        if counts.refused > 0 { firstError = firstError ?? "device refused frames (receive backlog full)" }
        return Outcome(sent: counts.consumed - counts.refused,
                       sentDenied: deniedAmongFirst(counts.consumed) - counts.refused_denied,
                       busy: busy + Int(counts.refused), firstError: firstError,
                       elapsedSeconds: Double(MonotonicClock.nanoseconds() - start) / 1e9, refused: counts.refused)
    }

    /// The stream positions after one kick, as `lab_xsk_account` keeps them (Swift's view, for tests).
    struct Positions: Equatable {
        var posted: UInt64 = 0
        var consumed: UInt64 = 0
        var refused: UInt64 = 0
        var refusedDenied: UInt64 = 0
    }

    static func account(_ positions: Positions, published: UInt32, refusedOne: Bool, denied: [UInt8]) -> Positions {
        var counts = lab_xsk_counts(posted: positions.posted, consumed: positions.consumed, refused: positions.refused,
                                    refused_denied: positions.refusedDenied)
        denied.withUnsafeBufferPointer { lab_xsk_account(&counts, published, refusedOne ? 1 : 0, $0.baseAddress, UInt32($0.count)) }
        return Positions(posted: counts.posted, consumed: counts.consumed, refused: counts.refused, refusedDenied: counts.refused_denied)
    }
}
