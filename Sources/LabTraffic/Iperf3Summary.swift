import Foundation
import LabResults
import LabSystem

/// What one iperf3 client run measured, read from its `-J` output.
public struct Iperf3Summary: Sendable, Equatable {
    public enum Transport: String, Sendable { case tcp, udp }

    public var transport: Transport
    public var seconds: Double
    /// Goodput at the receiver, bit/s.
    public var receivedBitsPerSecond: Double
    public var sentBitsPerSecond: Double
    /// TCP only.
    public var retransmits: Int?
    /// UDP only: datagrams sent, lost (as counted by the server), received.
    public var packetsSent: Int?
    public var packetsLost: Int?

    public var packetsReceived: Int? {
        guard let sent = packetsSent, let lost = packetsLost else { return nil }
        return max(0, sent - lost)
    }

    public static let throughputGbps = MetricInfo(name: "throughput_gbps", unit: "Gbit/s", direction: .higherIsBetter,
                                                  summary: "goodput received")
    /// A count of rare events: a ratio of two near-zero counts swings by multiples between identical
    /// builds, so it is shown, not gated (its cost shows up in throughput_gbps).
    public static let retransmitsMetric = MetricInfo(name: "retransmits", unit: "segments", direction: .neutral,
                                                     summary: "TCP retransmitted segments")
    /// Everything `samples` can produce, in report order.
    public static let metrics = [throughputGbps, retransmitsMetric, PacketMetrics.pps, PacketMetrics.ppsSent, PacketMetrics.lossRatio]

    public func samples(workload: String) -> [Sample] {
        var samples = [Sample(workload: workload, metric: Self.throughputGbps, value: receivedBitsPerSecond / 1e9)]
        if let retransmits { samples.append(Sample(workload: workload, metric: Self.retransmitsMetric, value: Double(retransmits))) }
        if let sent = packetsSent, let lost = packetsLost, let received = packetsReceived, seconds > 0 {
            samples.append(Sample(workload: workload, metric: PacketMetrics.pps, value: Double(received) / seconds))
            samples.append(Sample(workload: workload, metric: PacketMetrics.ppsSent, value: Double(sent) / seconds))
            samples.append(Sample(workload: workload, metric: PacketMetrics.lossRatio, value: sent == 0 ? 0 : Double(lost) / Double(sent)))
        }
        return samples
    }
}

public struct Iperf3Error: LabError, Equatable {
    public let message: String
    public var exitStatus: ExitStatus { .failure }
    public var description: String { "iperf3: \(message)" }
}

/// Parses iperf3 3.x `--json` client output. Tested on captured real outputs (TCP, UDP, errors).
public enum Iperf3Parser {
    public static func parse(_ text: String) throws -> Iperf3Summary {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            let firstLine = text.split(separator: "\n").first.map(String.init) ?? "empty output"
            throw Iperf3Error(message: "output is not JSON: \(firstLine)")
        }
        if let error = object["error"] as? String { throw Iperf3Error(message: error) }
        guard let end = object["end"] as? [String: Any], let start = object["start"] as? [String: Any],
              let test = start["test_start"] as? [String: Any], let proto = test["protocol"] as? String else {
            throw Iperf3Error(message: "JSON output lacks start.test_start or end")
        }
        guard let sent = end["sum_sent"] as? [String: Any], let received = end["sum_received"] as? [String: Any] else {
            throw Iperf3Error(message: "JSON output lacks end.sum_sent / end.sum_received")
        }
        let receivedBps = number(received["bits_per_second"])
        let seconds = number(received["seconds"])
        switch proto.uppercased() {
        case "TCP":
            return Iperf3Summary(transport: .tcp, seconds: seconds, receivedBitsPerSecond: receivedBps,
                                 sentBitsPerSecond: number(sent["bits_per_second"]),
                                 retransmits: Int(number(sent["retransmits"])))
        case "UDP":
            // In UDP mode iperf3 reports the server's loss count in sum_received; `packets` there is
            // the number the client sent.
            return Iperf3Summary(transport: .udp, seconds: seconds, receivedBitsPerSecond: receivedBps,
                                 sentBitsPerSecond: number(sent["bits_per_second"]),
                                 packetsSent: Int(number(received["packets"])),
                                 packetsLost: Int(number(received["lost_packets"])))
        default:
            throw Iperf3Error(message: "unsupported protocol \(proto)")
        }
    }

    private static func number(_ value: Any?) -> Double {
        (value as? NSNumber)?.doubleValue ?? 0
    }
}
