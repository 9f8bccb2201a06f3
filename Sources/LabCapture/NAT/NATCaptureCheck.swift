import LabNetwork

/// Proves SNAT from a capture on the external server's interface: every packet toward the server
/// carries an egress IP and a port in the SNAT range, no pod address appears as a source, and every
/// reply goes back to an egress IP and port in range. Pure: it reads decoded packets, so it runs the
/// same on a live capture, a saved .pcap and a crafted test input.
public enum NATCaptureCheck {
    public static func check(_ packets: [CapturedPacket], against expectation: NATExpectation) -> NATCaptureVerdict {
        var verdict = NATCaptureVerdict(expectation: expectation)
        var translated: [NATFlow: Int] = [:]
        var offending: [NATFlow: (reasons: [String], packets: Int)] = [:]
        for packet in packets {
            verdict.packetsSeen += 1
            guard let ip = packet.ipv4 else {
                verdict.otherFrames += 1
                continue
            }
            let flow = NATFlow(ip)
            let reasons: [String]
            if expectation.serverAddresses.contains(ip.source) {
                verdict.replies += 1
                reasons = replyReasons(ip, expectation)
            } else {
                if expectation.serverAddresses.contains(ip.destination) { verdict.towardServer += 1 }
                reasons = requestReasons(ip, expectation)
                if reasons.isEmpty { translated[flow, default: 0] += 1 }
            }
            if !reasons.isEmpty { offending[flow, default: (reasons, 0)].packets += 1 }
        }
        verdict.translatedFlows = translated.sorted { $0.key < $1.key }.map { TranslatedFlow(flow: $0.key, packets: $0.value) }
        verdict.offendingFlows = offending.sorted { $0.key < $1.key }
            .map { OffendingFlow(flow: $0.key, reasons: $0.value.reasons, packets: $0.value.packets) }
        return verdict
    }

    /// A packet not from the server left the gateway: its source must be translated.
    static func requestReasons(_ ip: IPv4PacketSummary, _ expectation: NATExpectation) -> [String] {
        // An untranslated pod source says all there is to say: its port is the pod's own.
        if expectation.podPrefixes.contains(where: { $0.contains(ip.source) }) {
            return ["source \(ip.source) is a pod address: left untranslated"]
        }
        var reasons: [String] = []
        if !expectation.egressAddresses.contains(ip.source) { reasons.append("source \(ip.source) is not an egress IP") }
        if let port = ip.sourcePort, !expectation.portRange.contains(port) {
            reasons.append("port \(port) outside \(expectation.rangeText)")
        }
        return reasons
    }

    /// A reply from the server: it must be addressed to an egress IP and port, or the translation
    /// the gateway reverses is not the one the check expects.
    static func replyReasons(_ ip: IPv4PacketSummary, _ expectation: NATExpectation) -> [String] {
        if expectation.podPrefixes.contains(where: { $0.contains(ip.destination) }) {
            return ["reply to \(ip.destination), a pod address: the request left untranslated"]
        }
        var reasons: [String] = []
        if !expectation.egressAddresses.contains(ip.destination) { reasons.append("reply to \(ip.destination), not an egress IP") }
        if let port = ip.destinationPort, !expectation.portRange.contains(port) {
            reasons.append("reply port \(port) outside \(expectation.rangeText)")
        }
        return reasons
    }
}
