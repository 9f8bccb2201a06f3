import Foundation
@testable import LabBackends
import LabNetwork
import LabPolicy
import LabScenario
import LabSystem
import LabTestSupport
import LabTopology
import Testing

extension KernelTests.NetfilterKernelTests {
    /// The sweep sizes: 100k generated rules must load through every backend, within the tools'
    /// limits and the subprocess timeout, and still decide right.
    @Suite("Netfilter backends at scale")
    struct Scale {
        static let kinds: [BackendKind] = [.iptablesLegacy, .iptablesNft, .iptablesIpset, .nftables]

        /// `count` deny prefixes (/24 and /32) from the client pool, default allow: a blocklist.
        static func blocklist(_ count: Int) throws -> Policy {
            let rules = try RuleGenerator(count: count, seed: 2544, pool: AddressPlan.clientPool, lengths: [24, 32]).rules()
            return Policy(rules: rules, defaultAction: .allow)
        }

        /// The first client-pool address the policy allows (one must exist: the pool is larger than
        /// any sweep).
        static func allowedSource(_ policy: Policy) -> IPv4Address {
            let first = AddressPlan.infrastructure.last.value + 1
            return (first..<AddressPlan.lab.last.value).lazy.map(IPv4Address.init)
                .first { ReferenceEvaluator.verdict(policy, Flow(proto: .udp, source: $0, destination: AddressPlan.server, destinationPort: 7001)) == .allow }!
        }

        @Test("100k rules install, decide, update and go away", arguments: kinds)
        func hundredThousand(kind: BackendKind) throws {
            let policy = try Self.blocklist(100_000)
            try withTestJournal("nf-scale") { journal in
                try NetfilterKernelSupport.require(kind, journal: journal)
                let topology = try TopologyBuilder.up(.pair, journal: journal)
                let point = topology.filterPoint
                let backend = try BackendFactory.make(kind)
                let artifact = try backend.compile(policy)
                let installation = try backend.install(artifact, policy: policy, at: point)
                let installMs = installation.installMilliseconds ?? 0
                let denied = policy.rules[0].source!.address
                let allowed = Self.allowedSource(policy)
                try KernelTests.NetfilterKernelTests().withChecker(topology) { checker in
                    #expect(try checker.send(from: denied, port: 7001).observed == .deny)
                    #expect(try checker.send(from: allowed, port: 7001).observed == .allow)
                    let update = Rule(action: .deny, source: IPv4Prefix(address: allowed, length: 32))
                    let updateMs = try installation.update(adding: update) ?? 0
                    #expect(try checker.send(from: allowed, port: 7001).observed == .deny)
                    let counters = try installation.counters()
                    #expect(counters.allowedPackets == 3 && counters.deniedPackets == 6)
                    print("netfilter scale: \(kind.rawValue) 100000 rules: install \(Self.milliseconds(installMs)), update \(Self.milliseconds(updateMs))")
                }
                try installation.remove()
                #expect(try FirewallSnapshot.take(point.namespace).isEmpty)
            }
        }

        /// Not run by default (minutes of loads): BENCHLAB_NETFILTER_SWEEP=1 prints, per backend and
        /// size, the median install and update times over five rounds beside the same install load
        /// run by hand, interleaved in the same namespace after one warm-up.
        /// BENCHLAB_NETFILTER_SWEEP_SIZES=1000,10000 and BENCHLAB_NETFILTER_SWEEP_ROUNDS=15 narrow it.
        @Test("install and update times across the sweep, beside the loader run by hand",
              .enabled(if: ProcessInfo.processInfo.environment["BENCHLAB_NETFILTER_SWEEP"] == "1",
                       "set BENCHLAB_NETFILTER_SWEEP=1 to run the timing sweep"),
              arguments: kinds)
        func sweep(kind: BackendKind) throws {
            let environment = ProcessInfo.processInfo.environment
            let sizes = environment["BENCHLAB_NETFILTER_SWEEP_SIZES"].map { $0.split(separator: ",").compactMap { Int($0) } }
                ?? [1, 100, 1000, 10_000, 100_000]
            let rounds = environment["BENCHLAB_NETFILTER_SWEEP_ROUNDS"].flatMap(Int.init) ?? 5
            for count in sizes {
                let policy = try Self.blocklist(count)
                let update = Rule(action: .deny, source: IPv4Prefix(address: Self.allowedSource(policy), length: 32))
                try withTestJournal("nf-sweep") { journal in
                    try NetfilterKernelSupport.require(kind, journal: journal)
                    let point = try TopologyBuilder.up(.pair, journal: journal).filterPoint
                    let backend = try #require(try BackendFactory.make(kind) as? any NetfilterBackend)
                    let artifact = try backend.compile(policy)
                    let loads = try LoaderByHand.installLoads(backend, artifact, at: point)
                    _ = try LoaderByHand.run(loads, in: point.namespace)
                    try backend.remove(at: point)
                    var install: [Double] = [], byHand: [Double] = [], updates: [Double] = []
                    for _ in 0..<rounds {
                        let installation = try backend.install(artifact, policy: policy, at: point)
                        install.append(installation.installMilliseconds ?? 0)
                        updates.append(try installation.update(adding: update) ?? 0)
                        try installation.remove()
                        byHand.append(try LoaderByHand.run(loads, in: point.namespace))
                        try backend.remove(at: point)
                    }
                    #expect(try FirewallSnapshot.take(point.namespace).isEmpty)
                    let ratio = Self.median(install) / Self.median(byHand)
                    print("netfilter sweep | \(kind.rawValue) | \(count) | install \(Self.milliseconds(Self.median(install))) "
                          + "| by hand \(Self.milliseconds(Self.median(byHand))) | ratio \(String(format: "%.2f", ratio)) "
                          + "| update \(Self.milliseconds(Self.median(updates)))")
                }
            }
        }

        static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

        static func milliseconds(_ value: Double) -> String { String(format: "%.1f ms", value) }
    }
}
