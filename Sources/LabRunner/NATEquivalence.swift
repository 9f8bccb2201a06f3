import LabCapture
import LabNetwork
import LabPolicy
import LabResults
import LabTopology
import LabTraffic

/// Proof, before any timing, that a gateway translates like the SNAT reference: probes from pod
/// addresses (and from sources no egress rule selects) cross the gateway while every server-side
/// interface is captured. It passes when
///  - each probe is answered exactly when the reference lets its source out (an answer reaches the
///    socket bound to the pod's own address, so the reply went back to the right pod), and
///  - every packet the server saw came from an egress IP with a port inside the range, and every
///    packet it sent went back to one: nothing left the cluster untranslated (libpcap capture,
///    `NATCaptureCheck`).
/// The baseline (`none`) routes without translating: every probe must be answered, and the capture
/// is only recorded.
enum NATEquivalence {
    /// Ports the probes use on the server, one per protocol.
    static let tcpPort: UInt16 = 7010
    static let udpPort: UInt16 = 7011

    struct Plan: Equatable {
        var flows: [Flow]
        var expected: [ProbeObservation.Verdict]
    }

    /// The probes for `sources`: a TCP connect and a UDP echo from each. Pure, unit-tested.
    static func plan(_ snat: SNATPolicy, sources: [IPv4Address], translating: Bool, server: IPv4Address) -> Plan {
        var plan = Plan(flows: [], expected: [])
        for source in sources {
            let verdict: ProbeObservation.Verdict = !translating || EgressReference.egressIP(snat, source: source) != nil ? .allowed : .denied
            for (proto, port) in [(IPProtocol.tcp, tcpPort), (.udp, udpPort)] {
                plan.flows.append(Flow(proto: proto, source: source, destination: server, destinationPort: port))
                plan.expected.append(verdict)
            }
        }
        return plan
    }

    /// What the capture must show for a translating backend.
    static func expectation(_ snat: SNATPolicy, podPrefixes: [IPv4Prefix], server: [IPv4Address]) -> NATExpectation {
        NATExpectation(egressAddresses: Set(snat.egressIPs), portRange: snat.ports.lower...snat.ports.upper, podPrefixes: podPrefixes,
                       serverAddresses: Set(server))
    }

    /// Observed verdicts and the capture's verdict against the plan. Pure, unit-tested.
    static func record(_ plan: Plan, observations: [ProbeObservation], capture: NATCaptureVerdict?) -> EquivalenceRecord {
        var mismatches: [ProbeMismatch] = []
        var total = 0
        for (flow, (wanted, observation)) in zip(plan.flows, zip(plan.expected, observations)) where observation.verdict != wanted {
            total += 1
            if mismatches.count < Equivalence.listedMismatches {
                let observed = observation.detail.map { "\(observation.verdict.rawValue) (\($0))" } ?? observation.verdict.rawValue
                mismatches.append(ProbeMismatch(flow: flow.description, expected: wanted.rawValue, observed: observed))
            }
        }
        for offending in capture?.offendingFlows ?? [] {
            total += 1
            if mismatches.count < Equivalence.listedMismatches {
                mismatches.append(ProbeMismatch(flow: "seen at the server: \(offending.flow)", expected: "translated",
                                                observed: "\(offending.reasons.joined(separator: "; ")) (\(offending.packets) packets)"))
            }
        }
        var record = EquivalenceRecord(probes: plan.flows.count, mismatches: mismatches)
        record.mismatchCount = total
        return record
    }

    /// The probe sources: up to `selectedPods` of the client node's pods the policy lets out, the
    /// highest addresses of its pod CIDR no egress rule selects (up to two), and the node's own link
    /// address — not a pod, so an egress gateway must drop it. Pure, unit-tested.
    static func sources(_ snat: SNATPolicy, topology: Topology, selectedPods: Int = 6) -> [IPv4Address] {
        let pods = topology.clientPodAddresses
        var sources = Array(pods.filter { EgressReference.egressIP(snat, source: $0) != nil }.prefix(selectedPods))
        for cidr in topology.clientPodCIDRs where cidr.size > 4 {
            let unselected = (1...min(Int(cidr.size) - 2, 1024)).lazy.map { IPv4Address(cidr.last.value - UInt32($0)) }
                .filter { !pods.contains($0) && EgressReference.egressIP(snat, source: $0) == nil }
            sources += unselected.prefix(2)
        }
        let own = topology.clientInterface.ipv4
        if !sources.contains(own) { sources.append(own) }
        return sources
    }

    /// Runs the probes through the built gateway topology while capturing the server's interfaces.
    static func check(_ policy: Policy, translating: Bool, in context: TrafficContext) throws -> EquivalenceRecord {
        guard let snat = policy.snat else { preconditionFailure("NAT equivalence needs an SNAT policy") }
        let topology = context.topology
        let plan = plan(snat, sources: sources(snat, topology: topology), translating: translating, server: topology.serverAddress)
        let capture = try ServerSideCapture.start(topology) { _ in CaptureOptions(filter: "ip", durationSeconds: 120) }
        let observed = Result { try ProbeRun.observeAdaptively(plan.flows, in: context) }
        let packets = try capture.finish()
        let (observations, timing) = try observed.get()
        let serverAddresses = [topology.serverAddress] + topology.serverInterfaces.map(\.ipv4)
        let verdict = NATCaptureCheck.check(packets, against: expectation(snat, podPrefixes: topology.podCIDRs, server: serverAddresses))
        // The baseline routes untranslated on purpose: its capture is recorded, never held against it.
        var record = record(plan, observations: observations, capture: translating ? verdict : nil)
        record.slowestAnswerMilliseconds = timing.slowestAnswerMilliseconds
        record.recheckedProbes = timing.recheckedFlows
        let summary = verdict.summary
        record.natCapture = NATCaptureRecord(packetsSeen: summary.packetsSeen, towardServer: summary.towardServer, replies: summary.replies,
                                             translatedFlows: summary.translatedFlows, egressAddressesUsed: summary.egressAddressesUsed,
                                             lowestPort: summary.lowestPort.map(Int.init), highestPort: summary.highestPort.map(Int.init),
                                             offendingFlows: translating ? summary.offendingFlows : 0,
                                             offending: translating ? summary.offending : [])
        return record
    }
}
