import LabBPF
import LabNetwork
import LabPolicy
import LabResults
import LabSystem

/// The BPF SNAT's per-packet cost through BPF_PROG_TEST_RUN (the issue's "eBPF SNAT ns/packet for an
/// established flow"): an established TCP flow's packet at egress and its reply at ingress. The test
/// loop runs its repeats on one skb, and a translated packet is no longer the pod's, so each figure
/// is a single run, repeated: the median over rounds of the median of 2 000 runs, beside the null tc
/// program timed the same way (that floor is the loop's fixed cost, clock reads included).
struct SNATMicrobenchmark {
    let configuration: SNATConfiguration
    var rounds = 5
    var runsPerRound = 2_000

    static let established = PolicyMetrics.snatEstablished.name
    static let reverse = PolicyMetrics.snatReverse.name
    static let floor = PolicyMetrics.snatFloor.name

    /// nil when the gateway translates no source (nothing to time).
    func measure() throws -> [(metric: String, nanoseconds: Double)]? {
        guard let selected = configuration.selection.first(where: \.translate) else { return nil }
        let pod = selected.prefix.length < 32 ? IPv4Address(selected.prefix.address.value + 1) : selected.prefix.address
        let snat = try SNATProgram(configuration)
        let null = try NullProgram(variant: .tc)
        let podPort: UInt16 = 40000
        // Open the flow: the SYN allocates, the SYN-ACK establishes.
        let syn = try snat.runEgress(Self.tcp(from: pod, to: AddressPlan.server, ports: (podPort, 5201), flags: 0x02))
        guard syn.passed else { throw LabFailure("tc-snat microbenchmark: the SYN of \(pod) was dropped") }
        let natPort = UInt16(syn.packet[14 + 20]) << 8 | UInt16(syn.packet[14 + 21])
        let back = try snat.runIngress(Self.tcp(from: AddressPlan.server, to: configuration.egressAddress, ports: (5201, natPort), flags: 0x12))
        guard back.passed else { throw LabFailure("tc-snat microbenchmark: the SYN-ACK to port \(natPort) was not translated back") }
        let ack = Self.tcp(from: pod, to: AddressPlan.server, ports: (podPort, 5201), flags: 0x10)
        let reply = Self.tcp(from: AddressPlan.server, to: configuration.egressAddress, ports: (5201, natPort), flags: 0x10)
        var egress: [Double] = [], ingress: [Double] = [], floor: [Double] = []
        // Interleaved rounds, so a noisy moment hits all three alike.
        for _ in 0..<rounds {
            egress.append(try median(runsPerRound) { Double(try snat.egress.testRun(packet: ack).nanosecondsPerRun) })
            ingress.append(try median(runsPerRound) { Double(try snat.ingress.testRun(packet: reply).nanosecondsPerRun) })
            floor.append(try median(runsPerRound) { Double(try null.run(ack).nanosecondsPerRun) })
        }
        return [(Self.established, Self.median(egress)), (Self.reverse, Self.median(ingress)), (Self.floor, Self.median(floor))]
    }

    static func tcp(from source: IPv4Address, to destination: IPv4Address, ports: (UInt16, UInt16), flags: UInt8) -> [UInt8] {
        var packet = TestPacket(proto: .tcp, source: source, destination: destination, sourcePort: ports.0, destinationPort: ports.1)
        packet.tcpFlags = flags
        return packet.bytes
    }

    private func median(_ count: Int, _ sample: () throws -> Double) throws -> Double {
        Self.median(try (0..<count).map { _ in try sample() })
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }
}
