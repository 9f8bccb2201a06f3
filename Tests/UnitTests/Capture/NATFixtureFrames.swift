import Foundation
import LabCapture
import LabNetwork
import LabPacket

/// The frames of Fixtures/pcap/nat-server-side.pcap: what a server behind a SNAT gateway could see
/// (egress IP 198.18.2.1, ports 20000-20999, pods in 198.18.64.0/18), with one of each fault.
/// Built from LabPacket so every byte is explained here; the committed file is checked to be exactly
/// what this writes, and the read tests use the committed file, not this builder.
enum NATFixtureFrames {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/pcap/nat-server-side.pcap").path

    static let server = IPv4Address("198.18.1.1")!
    static let egress = IPv4Address("198.18.2.1")!
    static let pod = IPv4Address("198.18.64.5")!
    static let stranger = IPv4Address("198.18.9.9")!
    static let gatewayMAC = MACAddress("02:62:6c:00:00:02")!
    static let serverMAC = MACAddress("02:62:6c:00:00:01")!

    static let expectation = NATExpectation(egressAddresses: [egress], portRange: 20_000...20_999,
                                            podPrefixes: [IPv4Prefix("198.18.64.0/18")!], serverAddresses: [server])

    static var recording: PcapRecording {
        let frames: [[UInt8]] = [
            udp(egress, 20_001, server, 7001),           // 0 translated
            udp(server, 7001, egress, 20_001),           // 1 its reply
            tcp(egress, 20_002, server, 80, flags: 0x02), // 2 translated SYN
            tcp(server, 80, egress, 20_002, flags: 0x12), // 3 SYN-ACK reply
            udp(pod, 40_000, server, 7001),              // 4 leak
            udp(egress, 40_000, server, 7001),           // 5 port outside the range
            udp(stranger, 20_003, server, 7001),         // 6 not an egress IP
            icmpEcho(egress, server, identifier: 20_004), // 7 translated ping
            arpRequest(),                                // 8 not IPv4
            udp(egress, 20_005, server, 7001, vlan: 7),  // 9 translated, VLAN-tagged
        ]
        return PcapRecording(linkType: .ethernet, frames: frames.enumerated().map { index, bytes in
            CapturedFrame(timestamp: CaptureTimestamp(seconds: 1_700_000_000, microseconds: index * 1000), bytes: bytes)
        })
    }

    static func udp(_ source: IPv4Address, _ sourcePort: UInt16, _ destination: IPv4Address, _ destinationPort: UInt16,
                    vlan: UInt16? = nil) -> [UInt8] {
        let datagram = UDPDatagram(sourcePort: sourcePort, destinationPort: destinationPort, payload: Array("bl".utf8))
        let ip = IPv4Header(source: source, destination: destination, protocolNumber: IPv4Header.udp, payloadLength: datagram.length)
        return ethernet(from: source, vlan: vlan) + ip.bytes + datagram.bytes(source: source, destination: destination)
    }

    static func tcp(_ source: IPv4Address, _ sourcePort: UInt16, _ destination: IPv4Address, _ destinationPort: UInt16,
                    flags: UInt8) -> [UInt8] {
        var segment = TCPSyn(sourcePort: sourcePort, destinationPort: destinationPort).bytes
        segment[13] = flags
        let ip = IPv4Header(source: source, destination: destination, protocolNumber: IPv4Header.tcp, payloadLength: segment.count)
        return ethernet(from: source) + ip.bytes + segment
    }

    static func icmpEcho(_ source: IPv4Address, _ destination: IPv4Address, identifier: UInt16) -> [UInt8] {
        let echo = ICMPEchoRequest(identifier: identifier, sequence: 1, payload: Array("bl".utf8)).bytes
        let ip = IPv4Header(source: source, destination: destination, protocolNumber: IPv4Header.icmp, payloadLength: echo.count)
        return ethernet(from: source) + ip.bytes + echo
    }

    static func arpRequest() -> [UInt8] {
        let header = EthernetHeader(destination: .broadcast, source: gatewayMAC, etherType: EthernetHeader.arp).bytes
        // Ethernet/IPv4 ARP who-has 198.18.1.1 tell 198.18.2.1.
        let arp: [UInt8] = [0, 1, 8, 0, 6, 4, 0, 1] + gatewayMAC.octets + egress.networkBytes + [UInt8](repeating: 0, count: 6)
            + server.networkBytes
        return header + arp
    }

    static func ethernet(from source: IPv4Address, vlan: UInt16? = nil) -> [UInt8] {
        let fromServer = source == server
        return EthernetHeader(destination: fromServer ? gatewayMAC : serverMAC, source: fromServer ? serverMAC : gatewayMAC,
                              vlanTags: vlan.map { [$0] } ?? [], etherType: EthernetHeader.ipv4).bytes
    }
}
