#if canImport(Glibc)
import Glibc
#endif
import CLabShims
import Foundation
import LabPacket
import LabSystem

/// The packet-rate generator (`benchlab agent flood`, inside the client namespace): prebuilt
/// Ethernet frames sent through an AF_XDP socket in copy mode on the client's interface
/// (XDPFrameSender), 64 descriptors per kick, as fast as the path takes them or paced to a rate;
/// pinned to one CPU. Where AF_XDP cannot be opened, AF_PACKET + sendmmsg with PACKET_QDISC_BYPASS
/// (PacedFrameSender) sends instead, and the report's `sender` says so and why.
///
/// Issue 11, raising the ceiling — routed lab (client ⇄ dut ⇄ server, no filter, 60-byte frames,
/// recvmmsg sink pinned to CPU 1), generator pinned to CPU 0, candidates interleaved try by try, 2 s a
/// try, median (min–max). Other helpers' builds loaded both CPUs throughout (load 4–8; the generator got
/// 0.3–0.65 of its CPU), so rates swing; the sender's own CPU time per packet sent (utime + stime of
/// the generator process, which on this kernel — tick accounting, no IRQ_TIME_ACCOUNTING — includes
/// the softirq work run in its context) is the steadier figure. "default": the whole veth path runs in
/// the sender's softirq (today's arrangement); "rps": the dut's client-facing rx-0 steered to CPU 1
/// (rps_cpus=2), so CPU 0 carries only the generator, veth xmit and the backlog enqueue.
///
/// | round | sender                                             | default kpps   | default ns/pkt    | rps kpps      | rps ns/pkt        |
/// |-------|----------------------------------------------------|----------------|-------------------|---------------|-------------------|
/// | 1     | AF_PACKET sendmmsg 64 (C harness)                  | 94 (90–116)    | 3007 (2947–3286)  | 240 (176–284) | 1189 (947–1246)   |
/// | 1     | … sendmmsg 256                                     | 95 (84–143)    | 3004 (2932–3120)  | 243 (175–289) | 1186 (940–1218)   |
/// | 1     | … sendmmsg 1024                                    | 96 (88–124)    | 2947 (2935–3122)  | 253 (171–275) | 1205 (940–1241)   |
/// | 1     | … sendmmsg 64 without qdisc bypass                 | 105 (95–112)   | 2927 (2865–3069)  | 275 (232–325) | 1132 (947–1217)   |
/// | 1     | PACKET_TX_RING v2, send() per 64 (trafgen's way)   | 83 (82–106)    | 3154 (3135–3226)  | 195 (173–210) | 1505 (1441–2103)  |
/// | 1     | … send() per 256                                   | 88 (78–103)    | 3116 (3076–3237)  | 204 (175–239) | 1509 (1344–1988)  |
/// | 1     | AF_XDP copy, 64 per kick, default send buffer, spin| 110 (106–138)  | 2497 (2455–2534)  | 261 (175–325) | 1815 (1324–1848)  |
/// | 6     | AF_XDP copy, 64 per kick, poll 1 ms when ring full | 226 (218–243)  | 2851 (2838–2879)  | 299 (72–375)  | 1027 (745–1149)   |
/// | 6     | AF_PACKET sendmmsg 64 (same round)                 | 182 (159–205)  | 3493 (3406–3589)  | 261 (243–314) | 1209 (1201–1224)  |
/// | 7     | this flood before (AF_PACKET, release build)       | 128 (112–231)  | 3632 (3445–4186)  | 236 (197–278) | 1276 (1006–1852)  |
/// | 7     | this flood now (AF_XDP copy, debug build)          | 163 (139–228)  | 3040 (2755–3326)  | 269 (219–347) | 964 (874–1131)    |
///
/// Kept: AF_XDP copy mode. In the default arrangement it cost 16–28% less sender CPU per packet in
/// every round with non-overlapping ranges, and its median rate was 17–27% higher (ranges apart in
/// two of four rounds, overlapping in the others because of the outside load). With the receive path
/// on CPU 1 it is level or better. Batch size (64/256/1024) and the qdisc bypass made no difference
/// beyond the noise; the TX ring was slower. Two things matter for AF_XDP on veth: the kernel
/// completes a copied frame only when the receiver frees its skb, so with the path on another CPU the
/// ring is full much of the time — spinning on sendto then doubled the CPU per packet (row "spin"),
/// sleeping 1 ms fixed it; and the send buffer stays at its default, which is back-pressure: raised
/// to 32 MiB the sender outran CPU 1 and 100k–400k packets per 2 s were lost inside the lab (the
/// AF_PACKET flood, blocking on the same buffer, loses none). xdp-trafficgen (xdp-tools 1.3.1) does not
/// load on 6.18 (it probes the xdp_redirect_map_err tracepoint); the raw socket needs no libxdp.
///
/// Earlier measurement (issue 5), the flood against trafgen and UDP sockets, quiet machine, 3 s a try:
///
/// | generator (pinned to CPU 0)                        | quiet, 8 tries        | 6 tries, load rising  | busy-loop hog, 5 tries |
/// |----------------------------------------------------|-----------------------|-----------------------|------------------------|
/// | AF_PACKET + sendmmsg, qdisc bypass                 | 269 (227–282)         | 222 (172–277)         | 150 (93–222)           |
/// | trafgen -P1 (AF_PACKET TX ring, qdisc bypass)      | 264 (217–279)         | 265 (220–276)         | 157 (145–271)          |
/// | connected UDP socket + sendmmsg (C, 1 source)      | 227 (192–240)         | 178 (138–249)         | –                      |
///
/// trafgen is not used: its rate limit (-b) sends a whole second's packets at full speed and then
/// sleeps, its gap option undershoots (-t 20us gave 24 kpps), and it tunes global socket-memory
/// sysctls and IRQ affinity unless told not to. The flood paces in millisecond bursts and counts
/// exactly what it sent from allowed and denied sources (a frame the device refuses is not counted).
/// Reproduce: a routed lab, `benchlab agent '{"pps-sink":{…}}'` in the server namespace, then
/// `benchlab agent '{"flood":{"interface":…,"duration":2,…}}'` in the client's; for "rps"
/// `ip netns exec <dut> sh -c 'echo 2 > /sys/class/net/<if>/queues/rx-0/rps_cpus'`.
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
        /// Refused frames are lost, not sent again (`FloodRequest.openLoop`).
        public var openLoop: Bool

        public init(interface: String, frames: [UDPFrame], schedule: PacketSchedule, packetsPerSecond: Int,
                    durationSeconds: Double, maximumPackets: UInt64, cpu: Int?, openLoop: Bool = false) {
            precondition(frames.count == schedule.slots.count && !frames.isEmpty, "one frame per schedule slot")
            precondition(Set(frames.map(\.bytes.count)).count == 1, "frames of one length")
            self.interface = interface
            self.frames = frames
            self.schedule = schedule
            self.packetsPerSecond = packetsPerSecond
            self.durationSeconds = durationSeconds
            self.maximumPackets = maximumPackets
            self.cpu = cpu
            self.openLoop = openLoop
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
                                   durationSeconds: options.durationSeconds, denied: denied, openLoop: options.openLoop,
                                   deniedAmongFirst: options.schedule.deniedPackets(amongFirst:))
        return FloodReport(sent: outcome.sent, sentDenied: outcome.sentDenied, elapsedSeconds: outcome.elapsedSeconds,
                           busy: outcome.busy, firstError: outcome.firstError, sender: Sender.xdpCopy,
                           refused: options.openLoop ? outcome.refused : nil)
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
                                                fd: fd, interface: options.interface, openLoop: options.openLoop)
        // Open loop skips refused positions of the cycle, so the denied count is exact only when every
        // slot is denied (or none), which is how flood-goodput floods.
        return FloodReport(sent: outcome.sent, sentDenied: options.schedule.deniedPackets(amongFirst: outcome.sent),
                           elapsedSeconds: outcome.elapsedSeconds, busy: outcome.busy, firstError: outcome.firstError,
                           sender: sender, refused: options.openLoop ? outcome.refused : nil)
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
    /// Open loop only: frames the device refused and the flood let go (not in `sent`).
    public var refused: UInt64?

    public init(sent: UInt64, sentDenied: UInt64, elapsedSeconds: Double, busy: Int, firstError: String?, sender: String? = nil,
                refused: UInt64? = nil) {
        self.sent = sent
        self.sentDenied = sentDenied
        self.elapsedSeconds = elapsedSeconds
        self.busy = busy
        self.firstError = firstError
        self.sender = sender
        self.refused = refused
    }

    /// Frames the flood put on the wire or tried to: what was offered to the path.
    public var offered: UInt64 { sent + (refused ?? 0) }

    enum CodingKeys: String, CodingKey {
        case sent, busy, sender, refused
        case sentDenied = "sent_denied"
        case elapsedSeconds = "elapsed_s"
        case firstError = "first_error"
    }
}
