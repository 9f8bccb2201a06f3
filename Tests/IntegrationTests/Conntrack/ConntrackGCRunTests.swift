#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LabResults
import LabSystem
import LabTestSupport
import LabTopology
import Testing

extension KernelTests {
    /// conntrack-gc through the whole binary, small: each tracker fills, expires, is raced and filled
    /// up; the global nf_conntrack_max the table-full phase lowers is back afterwards, also after a kill.
    @Suite("conntrack-gc runs")
    struct ConntrackGCRunTests {
        let binary = TestEnvironment.benchlabBinary
        static let maxPath = "/proc/sys/net/netfilter/nf_conntrack_max"

        static func scenario(backends: String, fill: Int, expireWait: String, churnRate: Int, fullDuration: String) -> String {
            """
            name: ct-test
            description: small conntrack-gc
            topology: routed
            backends: [\(backends)]
            repeat: 1
            warmup: 0
            policy:
              stateful: true
              default: allow
              rules:
                - {action: deny, proto: tcp, dport: 6000-6010}
            conntrack:
              table_size: 65536
              timeouts: {tcp_syn: 5s, tcp_established: 60s, tcp_close: 1s, udp: 1s, icmp: 5s}
              sweep: {mode: fixed, interval: 200ms, floor: 100ms, ceiling: 1s}
            workloads:
              - type: conntrack-gc
                fill: \(fill)
                expire_wait: \(expireWait)
                churn_rate: \(churnRate)
                churn_duration: 2s
                full_table: 512
                full_duration: \(fullDuration)
                established: 4
                established_interval: 200ms

            """
        }

        static func limit() throws -> Int {
            try #require(Int(try String(contentsOfFile: maxPath, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        }

        @Test("nf_conntrack, the swept and LRU BPF tables, the kfunc tracker: expiry reclaimed (or not, for the LRU), the table filled up, the limit restored")
        func everyTracker() throws {
            let out = try TestEnvironment.temporaryDirectory("ctgc")
            defer { try? FileManager.default.removeItem(atPath: out) }
            let file = "\(out)/ct-test.yaml"
            try Self.scenario(backends: "nftables, tc-ct-swept, xdp-ct-lru, tc-ct-kfunc", fill: 2000, expireWait: "90s", churnRate: 200,
                              fullDuration: "2s").write(toFile: file, atomically: true, encoding: .utf8)
            let before = try Self.limit()
            let result = try Subprocess.run(Command(binary, ["run", file, "--out", out, "--quiet"]), timeout: 400)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try Self.limit() == before)
            let directory = try #require(try FileManager.default.contentsOfDirectory(atPath: out).first { $0.hasSuffix("-ct-test") })
            let record = try RunRecordCoding.load(path: "\(out)/\(directory)")
            func value(_ backend: String, _ metric: String) -> Double? {
                record.cases.first { $0.backend == backend }?.repeats.flatMap(\.samples)
                    .first { $0.workload == "conntrack-gc" && $0.metric == metric }?.value
            }
            #expect(record.cases.allSatisfy { $0.status == .ok }, "\(record.cases.map { "\($0.id): \($0.reason ?? "ok")" })")
            for backend in ["nftables", "tc-ct-swept", "xdp-ct-lru", "tc-ct-kfunc"] {
                #expect((value(backend, "ct_fill_entries") ?? 0) >= 1900, "\(backend) fill entries")
                #expect(value(backend, "ct_full_limit") != nil, "\(backend) had no table-full phase")
                #expect(value(backend, "ct_churn_attempted") ?? 0 > 0, "\(backend) churn")
            }
            // Reclaimed, every deletion seen, by nf_conntrack's GC (its worker waits up to a minute) and the sweeper.
            for backend in ["nftables", "tc-ct-swept"] {
                #expect(value(backend, "ct_time_to_empty_s") != nil, "\(backend) never emptied")
                #expect(value(backend, "ct_gc_unseen") == 0, "\(backend) unseen deletions")
                #expect(value(backend, "ct_gc_lag_p50_ms") != nil)
            }
            #expect((value("tc-ct-swept", "ct_gc_lag_p99_ms") ?? .infinity) < 2000, "a 200 ms sweep reclaims within a few sweeps")
            #expect((value("tc-ct-swept", "ct_gc_sweeps") ?? 0) > 0)
            // The kfunc tracker's entries are nf_conntrack's, reclaimed by its GC (no destroy events
            // reach the log for entries the kfuncs made, so no lag: the count says when it emptied).
            #expect(value("tc-ct-kfunc", "ct_time_to_empty_s") != nil, "tc-ct-kfunc never emptied")
            // The LRU keeps expired entries: no lag, the fill still there.
            #expect(value("xdp-ct-lru", "ct_gc_lag_p50_ms") == nil)
            #expect((value("xdp-ct-lru", "ct_entries_left") ?? 0) >= 1900)
            #expect(Leftovers.namespaces().isEmpty, "left: \(Leftovers.namespaces())")
        }

        @Test("SIGKILL while the table-full phase holds nf_conntrack_max lowered: clean restores it")
        func killDuringTableFull() throws {
            let out = try TestEnvironment.temporaryDirectory("ctkill")
            defer { try? FileManager.default.removeItem(atPath: out) }
            let file = "\(out)/ct-test.yaml"
            try Self.scenario(backends: "nftables", fill: 200, expireWait: "1s", churnRate: 0, fullDuration: "30s")
                .write(toFile: file, atomically: true, encoding: .utf8)
            let before = try Self.limit()
            let process = try BackgroundProcess(Command(binary, ["run", file, "--out", out, "--quiet"]),
                                                stdoutPath: "\(out)/stdout", stderrPath: "\(out)/stderr")
            let deadline = Deadline(secondsFromNow: 60)
            while try Self.limit() == before, !deadline.hasPassed { usleep(50_000) }
            let lowered = try Self.limit()
            kill(-process.pid, SIGKILL)
            _ = process.stop(grace: 0)
            #expect(lowered != before, "the phase never lowered nf_conntrack_max: \(process.readStderr())")
            let clean = try Subprocess.run(Command(binary, ["clean"]), timeout: 60)
            #expect(clean.status == 0, "\(clean.stderr)")
            #expect(try Self.limit() == before)
            #expect(Leftovers.namespaces().isEmpty, "left: \(Leftovers.namespaces())")
            #expect(Leftovers.deadJournals().isEmpty, "left: \(Leftovers.deadJournals())")
        }
    }
}
