import Foundation
import LabTraffic
import Testing

/// Parsers are tested on output captured from real iperf3 3.12 runs between lab namespaces.
@Suite("iperf3 parser")
struct Iperf3ParserTests {
    func fixture(_ name: String) throws -> String {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/iperf3/\(name)", withExtension: "json"))
        return try String(contentsOf: url, encoding: .utf8)
    }

    @Test("TCP: receiver goodput and sender retransmits")
    func tcp() throws {
        let summary = try Iperf3Parser.parse(try fixture("iperf3-tcp"))
        #expect(summary.transport == .tcp)
        #expect(abs(summary.receivedBitsPerSecond - 14_484_612_295.554186) < 1)
        #expect(summary.retransmits == 9591)
        #expect(summary.packetsSent == nil)
        let samples = summary.samples(workload: "tcp")
        #expect(samples.map(\.metric) == ["throughput_gbps", "retransmits"])
        #expect(abs(samples[0].value - 14.4846) < 0.001)
    }

    @Test("TCP with two streams sums them")
    func tcpParallel() throws {
        let summary = try Iperf3Parser.parse(try fixture("iperf3-tcp-p2"))
        #expect(summary.receivedBitsPerSecond > 1e9)
        #expect(summary.retransmits != nil)
    }

    @Test("UDP: packets received per second and loss from the server's count")
    func udp() throws {
        let summary = try Iperf3Parser.parse(try fixture("iperf3-udp"))
        #expect(summary.transport == .udp)
        #expect(summary.packetsSent == 205_610)
        #expect(summary.packetsLost == 22_006)
        #expect(summary.packetsReceived == 183_604)
        let samples = Dictionary(uniqueKeysWithValues: summary.samples(workload: "udp").map { ($0.metric, $0.value) })
        #expect(abs(samples["pps"]! - 183_604 / 1.000099) < 1)
        #expect(abs(samples["loss_ratio"]! - 22_006.0 / 205_610.0) < 1e-9)
        #expect(abs(samples["throughput_gbps"]! - 2.0561612) < 1e-6)
    }

    @Test("iperf3's own error is surfaced", arguments: [("iperf3-error", "unable to connect to server: Network is unreachable"),
                                                      ("iperf3-refused", "unable to connect to server: Connection refused")])
    func error(name: String, message: String) throws {
        let error = #expect(throws: Iperf3Error.self) { _ = try Iperf3Parser.parse(try fixture(name)) }
        #expect(error?.description == "iperf3: \(message)")
    }

    @Test("non-JSON output is rejected with its first line")
    func garbage() {
        let error = #expect(throws: Iperf3Error.self) { _ = try Iperf3Parser.parse("iperf3: error - bad option\nUsage: …") }
        #expect(error?.description == "iperf3: output is not JSON: iperf3: error - bad option")
    }

    @Test("JSON without end sums is rejected")
    func incomplete() {
        let error = #expect(throws: Iperf3Error.self) {
            _ = try Iperf3Parser.parse(#"{"start": {"test_start": {"protocol": "TCP"}}, "end": {}}"#)
        }
        #expect(error?.description == "iperf3: JSON output lacks end.sum_sent / end.sum_received")
    }
}

@Suite("Listener probe")
struct ListenerProbeTests {
    let tcpTable = """
          sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 0101A8C6:1451 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 100 0 0 10 0
           1: 0101A8C6:1B5B 0100A8C6:9C40 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0000000000000000 20 4 30 10 -1
        """

    @Test("TCP: only sockets in LISTEN count")
    func tcpListening() {
        #expect(ListenerProbe.boundPorts(inProcNetTable: tcpTable, listeningOnly: true) == [5201])
        #expect(ListenerProbe.boundPorts(inProcNetTable: tcpTable, listeningOnly: false) == [5201, 7003])
    }
}

@Suite("Latency recorder")
struct LatencyRecorderTests {
    @Test("percentiles of a known distribution within HdrHistogram's 3-digit precision")
    func percentiles() {
        var recorder = LatencyRecorder()
        for microseconds in 1...1000 { recorder.record(nanoseconds: UInt64(microseconds) * 1000) }
        let report = recorder.report(failed: 2, elapsedSeconds: 1, firstError: nil)
        #expect(report.completed == 1000)
        #expect(report.failed == 2)
        #expect(abs(report.p50Microseconds - 500) <= 1)
        #expect(abs(report.p90Microseconds - 900) <= 1)
        #expect(abs(report.p99Microseconds - 990) <= 1)
        #expect(abs(report.p999Microseconds - 999) <= 1)
        #expect(abs(report.meanMicroseconds - 500.5) <= 0.5)
    }

    @Test("an empty recorder reports zeros, not garbage")
    func empty() {
        let report = LatencyRecorder().report(failed: 5, elapsedSeconds: 1, firstError: "timeout")
        #expect(report.completed == 0 && report.p50Microseconds == 0 && report.meanMicroseconds == 0)
    }

    @Test("endpoints parse and reject bad input", arguments: ["198.18.1.1:70000", "198.18.1.1", "host:80", "1.2.3.4:x"])
    func badEndpoints(text: String) {
        #expect(Endpoint(text) == nil)
    }
}
