import Foundation
import LabNetwork
import LabResults
import LabScenario
import LabSystem
import LabTestSupport
import LabTopology
@testable import LabTraffic
import Testing

/// A 4-node gateway chain declared in a scenario file: client → r1 → r2 → server, the policy on r1.
enum CustomChainScenario {
    static let text = """
        name: custom-chain
        description: Two routers between client and server, the policy on the first.
        topology:
          nodes:
            - {name: client, role: client}
            - {name: r1, role: router}
            - {name: r2, role: router}
            - {name: server, role: server}
          links:
            - {a: client, b: r1}
            - {a: r1, b: r2}
            - {a: r2, b: server, a_address: 198.18.0.9/30, b_address: 198.18.0.10/30}
          attach: {policy: {node: r1, from: client}}
        backends: [none, nftables]
        repeat: 1
        warmup: 0
        policy:
          default: allow
          rules:
            - {action: deny, proto: udp, dport: 9000-9100}
            - {action: deny, src: 198.19.128.0/17}
        workloads:
          - {type: latency, protocol: udp, count: 200, duration: 1s}

        """

    /// Writes the scenario to a fresh directory; returns the file's path.
    static func write() throws -> String {
        let directory = try TestEnvironment.temporaryDirectory("custom-chain")
        let path = "\(directory)/custom-chain.yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

extension KernelTests {
    @Suite("Custom topologies on the real kernel")
    struct CustomTopologyTests {
        @Test("a 4-node chain from a scenario file carries client-pool traffic to the server, with the policy on r1 facing the client")
        func chainComesUp() throws {
            let scenario = try ScenarioParser.parse(text: CustomChainScenario.text, path: "custom-chain.yaml")
            var topology: Topology?
            try withTestJournal("custom-chain") { journal in
                let built = try TopologyBuilder.up(scenario.topology, journal: journal)
                topology = built
                #expect(built.namespaces.count == 4)
                for namespace in built.namespaces { #expect(Namespaces.exists(namespace)) }
                let r1 = try #require(built.node(named: "r1"))
                let facingClient = try #require(built.interfaces.first { $0.node == "r1" && $0.address == "198.18.0.2/30" })
                #expect(built.filterPoint == FilterPoint(namespace: r1.namespace, ingressInterface: facingClient.name,
                                                         egressInterface: built.interfaces.first { $0.node == "r1" && $0.name != facingClient.name }?.name,
                                                         hook: .forward))
                #expect(try NamespaceSysctls.read("net.ipv4.ip_forward", in: r1.namespace) == "1")
                let scratch = try TestEnvironment.temporaryDirectory("custom-chain-traffic")
                defer { try? FileManager.default.removeItem(atPath: scratch) }
                let context = TrafficContext(topology: built, scratchDirectory: scratch, agentExecutable: TestEnvironment.benchlabBinary)
                for source in ["\(built.clientAddress)", "198.19.4.5"] {
                    let report = try WorkloadRunner.withEchoServer(.udp, port: 7001, lifetime: 10, name: "probe", context) {
                        try WorkloadRunner.runAgent(.rrClient(RoundTripClientRequest(
                            transport: .udp, target: Endpoint(host: "\(AddressPlan.server)", port: 7001), count: 20, duration: 5,
                            source: source)), timeout: 10, context)
                    }
                    #expect(report.completed == 20, "from \(source): \(report)")
                }
                for namespace in built.namespaces {
                    let routes = try Subprocess.run(Command("ip", ["-n", namespace, "route", "show"]), timeout: 5).stdout
                    #expect(!routes.contains("default"), "\(namespace) must not have a default route")
                }
            }
            let left = namespacesLeft(matching: [topology!.id])
            #expect(left.isEmpty, "left behind: \(left)")
            #expect(Namespaces.labRootLinks().filter { $0.contains(topology!.id) }.isEmpty)
        }

        @Test("benchlab run on the chain's scenario file: none and nftables pass equivalence, run.json says custom, nothing is left")
        func runOnTheChain() throws {
            let path = try CustomChainScenario.write()
            defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
            let out = try TestEnvironment.temporaryDirectory("custom-chain-run")
            defer { try? FileManager.default.removeItem(atPath: out) }
            let result = try Subprocess.run(Command(TestEnvironment.benchlabBinary,
                                                    ["run", path, "--backends", "none,nftables", "--out", out, "--quiet"]),
                                            timeout: 180)
            #expect(result.status == 0, "\(result.stderr)")
            let directory = try #require(try FileManager.default.contentsOfDirectory(atPath: out).first)
            let record = try RunRecordCoding.load(path: "\(out)/\(directory)")
            #expect(record.status == .complete)
            #expect(record.scenario.topology == "custom")
            #expect(record.cases.map(\.backend) == ["none", "nftables"])
            #expect(record.cases.allSatisfy { $0.status == .ok && $0.equivalence?.passed == true })
            #expect(Leftovers.namespaces().isEmpty, "left: \(Leftovers.namespaces())")
            #expect(Leftovers.deadJournals().isEmpty, "left: \(Leftovers.deadJournals())")
        }
    }
}
