import Foundation
import LabNetwork
import LabPolicy
import LabScenario
import LabSystem
import LabTestSupport
import LabTopology
@testable import LabTraffic
import Testing

extension KernelTests {
    @Suite("Topology on the real kernel")
    struct TopologyTests {
        @Test("a topology comes up, carries client-pool traffic to the server and back, and leaves nothing when torn down",
              arguments: TopologyPresets.all)
        func upAndDown(shape: TopologyPreset) throws {
            var topology: Topology?
            try withTestJournal("topology") { journal in
                let built = try TopologyBuilder.up(shape, journal: journal)
                topology = built
                for namespace in built.namespaces { #expect(Namespaces.exists(namespace)) }
                // Round trips from the client's own address and from a client-pool source (AnyIP)
                // prove the routes in both directions (in the gateway preset the client owns its pod
                // CIDR instead of the client pool: its first pod stands in for the pool source).
                let scratch = try TestEnvironment.temporaryDirectory("topology")
                defer { try? FileManager.default.removeItem(atPath: scratch) }
                let context = TrafficContext(topology: built, scratchDirectory: scratch, agentExecutable: TestEnvironment.benchlabBinary)
                for source in ["\(AddressPlan.client)", built.podAddresses.isEmpty ? "198.19.4.5" : "\(built.clientAddress)"] {
                    let report = try WorkloadRunner.withEchoServer(.udp, port: 7001, lifetime: 10, name: "probe", context) {
                        try WorkloadRunner.runAgent(.rrClient(RoundTripClientRequest(
                            transport: .udp, target: Endpoint(host: "\(AddressPlan.server)", port: 7001), count: 20, duration: 5,
                            source: source)), timeout: 10, context)
                    }
                    #expect(report.completed == 20, "from \(source): \(report)")
                }
                let routes = try Subprocess.run(Command("ip", ["-n", built.client, "route", "show"]), timeout: 5).stdout
                #expect(!routes.contains("default"), "a lab namespace must not have a default route")
            }
            let left = namespacesLeft(matching: [topology!.id])
            #expect(left.isEmpty, "left behind: \(left)")
            #expect(Namespaces.labRootLinks().filter { $0.contains(topology!.id) }.isEmpty)
        }

        @Test("a rollback to a mark removes only what was built after it")
        func rollbackToMark() throws {
            try withTestJournal("mark") { journal in
                let first = try TopologyBuilder.up(.pair, journal: journal)
                let mark = journal.mark
                let second = try TopologyBuilder.up(.pair, journal: journal)
                #expect(journal.rollback(to: mark).isEmpty)
                #expect(Namespaces.exists(first.client))
                #expect(!Namespaces.exists(second.client))
            }
        }
    }
}
