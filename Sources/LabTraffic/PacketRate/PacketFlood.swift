#if canImport(Glibc)
import Glibc
#endif
import CLabShims
import Foundation
import LabPacket
import LabSystem

/// The packet-rate generator (`benchlab agent flood`, inside the client namespace): prebuilt
/// Ethernet frames sent with sendmmsg(2) through an AF_PACKET socket with PACKET_QDISC_BYPASS, 64 per
/// call, as fast as the path takes them or paced to a rate; pinned to one CPU.
///
/// Why this generator — measured in a routed lab (client ⇄ dut ⇄ server, no filter, 60-byte frames,
/// recvmmsg sink on the server), 2-core VM shared with other engineers' builds, 3 s per try, candidates
/// interleaved try by try; kpps counted at the client's tx, the dut's rx, the server's rx and the sink
/// socket, which agreed in every try: nothing was lost between generator and sink, so each figure is
/// what the sending CPU sustains — the generator plus the whole veth path, which runs in its softirq:
///
/// | generator (pinned to CPU 0)                        | quiet, 8 tries        | 6 tries, load rising  | busy-loop hog, 5 tries |
/// |----------------------------------------------------|-----------------------|-----------------------|------------------------|
/// | this flood (AF_PACKET + sendmmsg, qdisc bypass)    | 269 (227–282)         | 222 (172–277)         | 150 (93–222)           |
/// | trafgen -P1 (AF_PACKET TX ring, qdisc bypass)      | 264 (217–279)         | 265 (220–276)         | 157 (145–271)          |
/// | connected UDP socket + sendmmsg (C, 1 source)      | 227 (192–240)         | 178 (138–249)         | –                      |
/// | xdp-trafficgen (xdp-tools 1.3.1, Debian 12)        | does not load on 6.18: it probes the xdp_redirect_map_err tracepoint, which the kernel no longer has |
///
/// (median, min–max.) The flood and trafgen are level (median per-try ratio 1.03 quiet, 0.99–1.04 in
/// the three hog tries before outside load came in; trafgen led 1.3–1.6× in the three tries of the
/// middle batch taken while other engineers' jobs loaded the machine); UDP sockets are 15–20% slower because the
/// client's own UDP/IP stack runs on the CPU that also carries the whole veth path in softirq.
/// trafgen is not kept: its rate limit (-b) sends a whole second's packets at full speed and then
/// sleeps (-b 100000pps for 0.5 s sent 100000 packets), its gap option undershoots (-t 20us gave
/// 24 kpps), and it tunes global socket-memory sysctls and IRQ affinity unless told not to. The
/// flood paces in millisecond bursts, counts exactly what it sent from allowed and denied sources,
/// and needs no extra package. Reproduce: a routed lab, `benchlab agent '{"pps-sink":{…}}'` in the
/// server namespace, then `benchlab agent '{"flood":{"interface":…,"duration":3,…}}'` against
/// `trafgen -o <client if> -P 1 --no-sock-mem --notouch-irq -i udp.cfg` stopped after 3 s.
public enum PacketFlood {
    public static let batch = 64

    public struct Options: Sendable {
        public var interface: String
        public var frames: [UDPFrame]
        public var schedule: PacketSchedule
        /// 0 = as fast as possible.
        public var packetsPerSecond: Int
        public var durationSeconds: Double
        /// Hard bound on packets, whatever the clock says.
        public var maximumPackets: UInt64
        public var cpu: Int?

        public init(interface: String, frames: [UDPFrame], schedule: PacketSchedule, packetsPerSecond: Int,
                    durationSeconds: Double, maximumPackets: UInt64, cpu: Int?) {
            precondition(frames.count == schedule.slots.count && !frames.isEmpty, "one frame per schedule slot")
            precondition(Set(frames.map(\.bytes.count)).count == 1, "frames of one length")
            self.interface = interface
            self.frames = frames
            self.schedule = schedule
            self.packetsPerSecond = packetsPerSecond
            self.durationSeconds = durationSeconds
            self.maximumPackets = maximumPackets
            self.cpu = cpu
        }
    }

    public static func run(_ options: Options) throws -> FloodReport {
        if let cpu = options.cpu { try systemCall("pin the flood to CPU \(cpu)") { lab_pin_to_cpu(Int32(cpu)) } }
        let frames = options.frames.flatMap(\.bytes)
        let frameLength = options.frames[0].bytes.count
        let xdp: XDPFrameSender
        do {
            xdp = try XDPFrameSender(interface: options.interface, frames: frames, frameLength: frameLength,
                                     frameCount: options.frames.count)
        } catch {
            // No AF_XDP here (kernel, device or permissions): the AF_PACKET sender, and the report says why.
            return try runPacketSocket(options, frames: frames, frameLength: frameLength,
                                       sender: "\(Sender.packetSocket) (\(Sender.xdpCopy) unavailable: \(error))")
        }
        let denied = options.schedule.slots.map { UInt8($0.denied ? 1 : 0) }
        let outcome = try xdp.send(total: options.maximumPackets, packetsPerSecond: options.packetsPerSecond,
                                   durationSeconds: options.durationSeconds, denied: denied,
                                   deniedAmongFirst: options.schedule.deniedPackets(amongFirst:))
        return FloodReport(sent: outcome.sent, sentDenied: outcome.sentDenied, elapsedSeconds: outcome.elapsedSeconds,
                           busy: outcome.busy, firstError: outcome.firstError, sender: Sender.xdpCopy)
    }

    /// The senders, as the report names them.
    enum Sender {
        static let xdpCopy = "af_xdp-copy"
        static let packetSocket = "af_packet-sendmmsg"
    }

    static func runPacketSocket(_ options: Options, frames: [UInt8], frameLength: Int, sender: String) throws -> FloodReport {
        let fd = try PacedFrameSender.openSocket(on: options.interface, pinnedTo: nil, "flood")
        defer { close(fd) }
        let outcome = try PacedFrameSender.send(frames, frameLength: frameLength,
                                                frameCount: options.frames.count, total: options.maximumPackets,
                                                packetsPerSecond: options.packetsPerSecond, durationSeconds: options.durationSeconds,
                                                fd: fd, interface: options.interface)
        return FloodReport(sent: outcome.sent, sentDenied: options.schedule.deniedPackets(amongFirst: outcome.sent),
                           elapsedSeconds: outcome.elapsedSeconds, busy: outcome.busy, firstError: outcome.firstError,
                           sender: sender)
    }
}

/// How many packets may go now. Unpaced: a full batch every time. Paced: whatever the rate makes due
/// by now, sent once at least a millisecond's worth (at most a batch) has built up, so the flood makes
/// few, even bursts instead of one syscall per packet or one burst per second.
struct Pacer {
    let packetsPerSecond: Int
    /// Smallest burst worth a system call.
    let burst: UInt64

    init(packetsPerSecond: Int) {
        self.packetsPerSecond = packetsPerSecond
        burst = UInt64(min(max(packetsPerSecond / 1000, 1), PacketFlood.batch))
    }

    func due(afterNanoseconds elapsed: UInt64, sent: UInt64) -> UInt64 {
        guard packetsPerSecond > 0 else { return UInt64(PacketFlood.batch) }
        // The first packet is due at once; the rest as the rate allows.
        let allowed = UInt64(Double(elapsed) * Double(packetsPerSecond) / 1e9) + 1
        let owed = allowed > sent ? allowed - sent : 0
        return owed >= burst || sent == 0 ? owed : 0
    }

    /// Sleep between checks while nothing is due: well under one burst's time.
    var pauseMicroseconds: UInt32 {
        guard packetsPerSecond > 0 else { return 0 }
        return UInt32(max(20, min(1000, 250_000 * Int(burst) / packetsPerSecond)))
    }
}

/// What the flood prints as its one line of JSON.
public struct FloodReport: Codable, Sendable, Equatable {
    public var sent: UInt64
    /// Of `sent`, those from sources the policy denies.
    public var sentDenied: UInt64
    /// From the first send to the last: the denominator of every rate of this workload.
    public var elapsedSeconds: Double
    /// Send calls that found the device busy (ENOBUFS/EAGAIN) and were retried; with AF_XDP, frames
    /// the device refused plus waits for a full TX ring.
    public var busy: Int
    public var firstError: String?
    /// Which sender sent the flood (and, when AF_XDP could not be used, why); nil in older reports.
    public var sender: String?

    public init(sent: UInt64, sentDenied: UInt64, elapsedSeconds: Double, busy: Int, firstError: String?, sender: String? = nil) {
        self.sent = sent
        self.sentDenied = sentDenied
        self.elapsedSeconds = elapsedSeconds
        self.busy = busy
        self.firstError = firstError
        self.sender = sender
    }

    enum CodingKeys: String, CodingKey {
        case sent, busy, sender
        case sentDenied = "sent_denied"
        case elapsedSeconds = "elapsed_s"
        case firstError = "first_error"
    }
}
