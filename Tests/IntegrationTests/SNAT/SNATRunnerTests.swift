import Foundation
import LabCapture
import LabNetwork
import LabPolicy
import LabResults
@testable import LabRunner
import LabSystem
import LabTestSupport
import LabTopology
import LabTraffic
import Testing

extension KernelTests {
    /// The SNAT path through the real runner (issue 9): the `benchlab` binary runs small gateway
    /// scenarios as a user would, and run.json, the saved captures and the exit codes are checked.
    @Suite("SNAT through the runner on the real kernel")
    struct SNATRunnerTests {
        static let binary = TestEnvironment.benchlabBinary
        static let egressIP = "198.18.4.1"
        static let ports = 20000...20999
        static let translating = ["iptables-legacy", "iptables-nft", "nftables", "tc-snat", "tc-snat-swept"]

        /// Writes `yaml` as `<name>.yaml` in a scratch directory, runs `benchlab run` on it and loads
        /// the run directory; the scratch directory goes whatever happens.
        static func run(_ name: String, _ yaml: String, timeout: Double = 120,
                        _ body: (RunRecord, String) throws -> Void) throws {
            let scratch = try TestEnvironment.temporaryDirectory(name)
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            try yaml.write(toFile: "\(scratch)/\(name).yaml", atomically: true, encoding: .utf8)
            let result = try Subprocess.run(Command(binary, ["run", "\(scratch)/\(name).yaml", "--out", "\(scratch)/out", "--quiet"]),
                                            timeout: timeout)
            #expect(result.status == 0, "\(result.stderr)")
            let directory = try #require(try FileManager.default.contentsOfDirectory(atPath: "\(scratch)/out").first)
            let path = "\(scratch)/out/\(directory)"
            try body(try RunRecordCoding.load(path: path), path)
            #expect(Leftovers.namespaces().isEmpty, "left: \(Leftovers.namespaces())")
        }

        static func samples(_ record: CaseRecord, workload: String) -> [String: Double] {
            Dictionary(record.countedSamples.filter { $0.workload == workload }.map { ($0.metric, $0.value) }) { first, _ in first }
        }

        static let everyBackend = """
            name: snat-every-backend
            description: A small gateway lab through every SNAT backend, the capture saved.
            topology: {preset: gateway, nodes: 2, pods_per_node: 4}
            backends: [none, iptables-legacy, iptables-nft, nftables, tc-snat, tc-snat-swept]
            repeat: 1
            warmup: 0
            capture: 20
            snat:
              ports: 20000-20999
            workloads:
              - type: connect
                count: 100
                duration: 1s

            """

        @Test("a small gateway lab where the capture sees only translated sources on every backend, and capture: 20 saves them")
        func everyBackendTranslates() throws {
            try Self.run("snat-every-backend", Self.everyBackend) { record, directory in
                #expect(record.status == .complete)
                #expect(record.cases.map(\.backend) == ["none"] + Self.translating)
                let files = try FileManager.default.contentsOfDirectory(atPath: "\(directory)/captures")
                for result in record.cases {
                    #expect(result.status == .ok, "\(result.id): \(result.reason ?? "")")
                    let equivalence = try #require(result.equivalence, "\(result.id) has no equivalence record")
                    #expect(equivalence.passed, "\(result.id): \(equivalence.mismatches)")
                    let capture = try #require(equivalence.natCapture, "\(result.id) has no nat_capture")
                    #expect(capture.towardServer > 0 && capture.replies > 0, "\(result.id): \(capture)")
                    #expect(capture.offendingFlows == 0 && capture.offending.isEmpty, "\(result.id): \(capture.offending)")

                    // capture: 20 — one file per server-side interface (one gateway: one), its first 20 frames.
                    let file = try #require(files.first { $0.hasPrefix("\(result.backend)-r0-") }, "no capture of \(result.id) in \(files)")
                    let packets = try PcapFile.read("\(directory)/captures/\(file)").packets.compactMap(\.ipv4)
                    #expect(packets.count == 20, "\(file): \(packets.count) IPv4 packets")
                    let toward = packets.filter { $0.destination == AddressPlan.server }
                    #expect(!toward.isEmpty, "\(file) has nothing toward the server")
                    let sources = Set(toward.map { "\($0.source)" })

                    if result.backend == "none" {
                        // Routing without SNAT: the server sees the pods themselves.
                        #expect(capture.translatedFlows == 0 && capture.egressAddressesUsed.isEmpty, "\(capture)")
                        #expect(sources.allSatisfy { IPv4Prefix("198.18.64.0/18")!.contains(IPv4Address($0)!) }, "none: \(sources)")
                    } else {
                        #expect(capture.translatedFlows > 0, "\(result.id): \(capture)")
                        #expect(capture.egressAddressesUsed == [Self.egressIP], "\(result.id): \(capture.egressAddressesUsed)")
                        let lowest = try #require(capture.lowestPort), highest = try #require(capture.highestPort)
                        #expect(Self.ports.contains(lowest) && Self.ports.contains(highest), "\(result.id): ports \(lowest)-\(highest)")
                        #expect(sources == [Self.egressIP], "\(file): sources \(sources)")
                        let sourcePorts = toward.compactMap(\.sourcePort).map(Int.init)
                        #expect(sourcePorts.allSatisfy(Self.ports.contains), "\(file): ports \(sourcePorts)")
                    }
                }
            }
        }

        @Test("NAT equivalence fails loudly on a gateway that translates nothing: each leak is named as left untranslated")
        func equivalenceCatchesALeak() throws {
            let snat = SNATPolicy(ports: PortRange(20000, 20999)!, egress: [
                EgressRule(sources: [IPv4Prefix("198.18.64.0/24")!, IPv4Prefix("198.18.65.0/24")!], egressIPs: [IPv4Address(Self.egressIP)!]),
            ])
            let policy = Policy(rules: [], defaultAction: .allow, snat: snat)
            let preset = try TopologyPreset.gateway(GatewayParameters(nodes: 2, podsPerNode: 4, gateways: 1))
            var id = ""
            try withTestJournal("nat-leak") { journal in
                // Nothing installed (the `none` backend), but checked as if it translated.
                let topology = try TopologyBuilder.up(preset, journal: journal)
                id = topology.id
                let scratch = try TestEnvironment.temporaryDirectory("nat-leak")
                defer { try? FileManager.default.removeItem(atPath: scratch) }
                let context = TrafficContext(topology: topology, scratchDirectory: scratch, agentExecutable: Self.binary)
                let record = try NATEquivalence.check(policy, translating: true, in: context)
                #expect(!record.passed)
                // Every packet from or to a pod is named as a leak; the node's own address (not a
                // pod, so the reference drops it) is named as no egress IP, and its answered probes
                // disagree with the reference too.
                let leaks = record.mismatches.filter { $0.expected == "translated" }
                let fromPods = leaks.filter { $0.flow.contains("198.18.64.") }
                #expect(fromPods.count >= 8, "\(leaks)")
                #expect(fromPods.allSatisfy { $0.observed.contains("left untranslated") }, "\(fromPods)")
                #expect(leaks.filter { !$0.flow.contains("198.18.64.") }.allSatisfy { $0.observed.contains("not an egress IP") }, "\(leaks)")
                let probes = record.mismatches.filter { $0.expected != "translated" }
                #expect(probes.map(\.expected) == ["denied", "denied"] && probes.allSatisfy { $0.flow.contains("198.18.0.1") }, "\(probes)")
                #expect(record.mismatchCount == record.mismatches.count, "more mismatches than listed: \(record.mismatchCount)")
                let capture = try #require(record.natCapture)
                #expect(capture.translatedFlows == 0 && capture.offendingFlows > 0, "\(capture)")
                #expect(capture.offending.contains { $0.contains("left untranslated") }, "\(capture.offending)")
            }
            #expect(namespacesLeft(matching: [id]).isEmpty)
        }

        static let failover = """
            name: snat-failover-short
            description: A short failover between two gateways.
            topology: {preset: gateway, nodes: 2, pods_per_node: 4, gateways: 2}
            backends: [nftables, tc-snat]
            repeat: 1
            warmup: 0
            snat:
              ports: 20000-20999
            workloads:
              - type: egress-failover
                rate: 100
                established: 4
                fail_after: 2500ms
                duration: 4s

            """

        // duration 4 s, not 3.5: a long-lived flow counts as broken once its reply is 1 s late
        // (ConnectionDrivers' replyTimeout), so with only 1 s after the failure a flow whose packets the
        // standby drops (tc-snat) is still waiting when the workload stops, and counted unbroken.
        @Test("egress-failover on two gateways: the standby takes new connections within a second, nothing leaks, established flows break")
        func failoverOnTwoGateways() throws {
            try Self.run("snat-failover-short", Self.failover) { record, _ in
                #expect(record.cases.map(\.backend) == ["nftables", "tc-snat"])
                for result in record.cases {
                    #expect(result.status == .ok, "\(result.id): \(result.reason ?? "")")
                    #expect(result.equivalence?.passed == true, "\(result.id): \(result.equivalence?.mismatches ?? [])")
                    let measured = Self.samples(result, workload: "egress-failover")
                    let failover = try #require(measured["failover_ms"], "\(result.id): no failover_ms in \(measured)")
                    #expect(failover > 0 && failover < 1000, "\(result.id): failover_ms \(failover)")
                    #expect(measured["leaked_untranslated"] == 0, "\(result.id): \(measured)")
                    #expect(measured["established_broken"] == 4, "\(result.id): \(measured)")
                    #expect((measured["standby_share"] ?? 0) > 0, "\(result.id): \(measured)")
                }
            }
        }

        @Test("benchlab up on an SNAT scenario with a translating backend installs at both gateways; down removes it all")
        func upInstallsAtEveryGateway() throws {
            let scratch = try TestEnvironment.temporaryDirectory("snat-up")
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let path = "\(scratch)/snat-up.yaml"
            try Self.failover.replacingOccurrences(of: "name: snat-failover-short", with: "name: snat-up")
                .write(toFile: path, atomically: true, encoding: .utf8)
            let up = try Subprocess.run(Command(Self.binary, ["up", path, "--backend", "nftables"]), timeout: 60)
            let id = up.stdout.split(separator: " ").dropFirst().first.map(String.init) ?? ""
            defer { if !id.isEmpty { _ = try? Subprocess.run(Command(Self.binary, ["down", id]), timeout: 60) } }
            #expect(up.status == 0, "\(up.stderr)")
            #expect(up.stdout.hasPrefix("lab \(id) is up"), "\(up.stdout)")
            for gateway in ["gw1", "gw2"] {
                let ruleset = try Subprocess.run(Command("ip", ["netns", "exec", "bl-\(id)-\(gateway)", "nft", "list", "ruleset"]), timeout: 10)
                #expect(ruleset.stdout.contains("masquerade"), "\(gateway): \(ruleset.stdout) \(ruleset.stderr)")
            }
            let down = try Subprocess.run(Command(Self.binary, ["down", id]), timeout: 60)
            #expect(down.status == 0, "\(down.stderr)")
            #expect(namespacesLeft(matching: [id]).isEmpty)
        }

        @Test("an egress IP on no gateway: benchlab validate and run exit 2 with file:line:column, and nothing is run")
        func egressIPNotOnAGateway() throws {
            let scratch = try TestEnvironment.temporaryDirectory("bad-egress")
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let path = "\(scratch)/bad-egress.yaml"
            try """
                name: bad-egress
                description: An egress IP that is no gateway's.
                topology: {preset: gateway, nodes: 2, pods_per_node: 4}
                backends: [nftables]
                snat:
                  ports: 20000-20999
                  egress:
                    - {from: 198.18.64.0/24, via: 198.18.9.1}
                workloads:
                  - type: connect

                """.write(toFile: path, atomically: true, encoding: .utf8)
            let message = "\(path):8:35: egress IP 198.18.9.1 is not a gateway's external address (this topology's gateways: gw1 198.18.4.1)"
            let namespaces = Set(Namespaces.all())
            for arguments in [["validate", path], ["run", path, "--out", "\(scratch)/out", "--quiet"]] {
                let result = try Subprocess.run(Command(Self.binary, arguments), timeout: 30)
                #expect(result.status == 2, "\(arguments[0]): \(result.stderr)")
                #expect(result.stderr.contains(message), "\(arguments[0]): \(result.stderr)")
            }
            #expect(!FileManager.default.fileExists(atPath: "\(scratch)/out"))
            #expect(Set(Namespaces.all()).subtracting(namespaces).isEmpty)
        }
    }
}
