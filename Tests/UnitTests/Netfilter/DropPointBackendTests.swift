import Foundation
import LabBPF
@testable import LabBackends
import LabPolicy
@testable import LabSystem
import LabTopology
import Testing

/// The drop-point ladder's netfilter rungs (iptables-raw, iptables-notrack, nftables-prerouting,
/// nftables-ingress): their artifacts and install loads are golden files (the table, hook and
/// priority are the whole point of each), they refuse a stateful policy, and every backend says
/// where it drops in the `drop_point` gate. Set BENCHLAB_UPDATE_GOLDEN=1 to rewrite the goldens.
@Suite("Drop-point backends: artifacts, loads and gates")
struct DropPointBackendTests {
    static let kinds: [BackendKind] = [.iptablesRaw, .iptablesNotrack, .nftablesPrerouting, .nftablesIngress]
    static let cases: [(BackendKind, Action)] = kinds.flatMap { [($0, Action.deny), ($0, .allow)] }

    @Test("each is a netfilter backend made by the factory under its own name", arguments: kinds)
    func registered(kind: BackendKind) throws {
        #expect(try BackendFactory.make(kind).kind == kind)
        #expect(kind.family == .netfilter && !kind.tracksConnections)
    }

    @Test("a policy using every feature compiles to the golden file", arguments: cases)
    func golden(kind: BackendKind, defaultAction: Action) throws {
        let artifact = try BackendFactory.make(kind).compile(NetfilterFixtures.features(default: defaultAction))
        let file = "\(kind.rawValue)-default-\(defaultAction.rawValue)"
        try Golden.check(artifact.text, against: Golden.directory.appendingPathComponent("netfilter/\(file).\(artifact.kind)"))
    }

    /// The attachment is what differs between the rungs, so the loads at both topologies' points are
    /// pinned too, each under the command that reads it.
    @Test("the install loads at the routed and the pair point match the golden file", arguments: kinds)
    func loadsGolden(kind: BackendKind) throws {
        let backend = try BackendFactory.make(kind) as! any NetfilterBackend
        let artifact = try backend.compile(NetfilterFixtures.features(default: .deny))
        var text = ""
        for point in [NetfilterFixtures.routedPoint, NetfilterFixtures.pairPoint] {
            for load in try backend.installLoads(artifact, at: point) {
                text += "#### \(point.namespace): \(([load.tool] + load.arguments).joined(separator: " "))\n\(load.input)"
            }
        }
        try Golden.check(text, against: Golden.directory.appendingPathComponent("netfilter/\(kind.rawValue)-install.loads"))
    }

    @Test("a stateful policy is refused: these rungs drop before connection state exists", arguments: kinds)
    func statefulRefused(kind: BackendKind) throws {
        var policy = NetfilterFixtures.features(default: .deny)
        policy.tracking = ConnectionTracking()
        let error = try #require(throws: BackendUnsupported.self) { try BackendFactory.make(kind).compile(policy) }
        #expect(error.backend == kind && error.description.contains("stateful"))
    }

    @Test("the nftables placements differ only in family and base chain")
    func nftablesPlacements() {
        let routed = NetfilterFixtures.routedPoint
        #expect(NftablesScript.attachment(at: routed, placement: .filter) == NftablesScript.attachment(at: routed))
        #expect(NftablesScript.insertion(NetfilterRule(Rule(action: .deny, proto: .tcp)), family: "netdev")
            == "insert rule netdev benchlab blpolicy ip protocol tcp counter drop\n")
        #expect(NftablesScript.removal(family: "netdev") == "table netdev benchlab\ndelete table netdev benchlab\n")
    }

    @Test("iptables-raw updates and removes in the raw table; iptables-notrack also removes its NOTRACK rule")
    func iptablesTables() {
        let rule = NetfilterRule(Rule(action: .deny, proto: .tcp))
        #expect(IptablesRestoreFile.insertion(rule, table: "raw") == "*raw\n-I BLPOLICY 1 -p tcp -j DROP\nCOMMIT\n")
        #expect(IptablesRestoreFile.removal(jumps: ["PREROUTING -i x -j BLPOLICY"], chains: ["BLPOLICY"], table: "raw")
            == "*raw\n-D PREROUTING -i x -j BLPOLICY\n-F BLPOLICY\n-X BLPOLICY\nCOMMIT\n")
        let saved = """
            *raw
            :PREROUTING ACCEPT [0:0]
            :BLPOLICY - [0:0]
            [3:120] -A PREROUTING -i blabc123-s0 -j BLPOLICY
            [3:120] -A PREROUTING -i blabc123-s0 -j CT --notrack
            [2:80] -A BLPOLICY -s 198.18.16.0/24 -j DROP
            [1:40] -A BLPOLICY -j ACCEPT
            COMMIT
            """
        let reader = IptablesSaveReader(saved)
        #expect(reader.jumps(to: "BLPOLICY") == ["PREROUTING -i blabc123-s0 -j BLPOLICY"])
        #expect(reader.contains(rule: IptablesPlacement.filterNotrack.notrackSpecification(NetfilterFixtures.pairPoint)!))
        #expect(reader.packetsByVerdict(in: "BLPOLICY") == (accepted: 1, dropped: 2))
    }

    @Test("drop_point names the hook at each topology's point", arguments: [
        (IptablesPlacement.filter, "iptables filter FORWARD", "iptables filter INPUT"),
        (.raw, "iptables raw PREROUTING", "iptables raw PREROUTING"),
        (.filterNotrack, "iptables filter FORWARD, raw NOTRACK", "iptables filter INPUT, raw NOTRACK"),
    ])
    func iptablesDropPoint(placement: IptablesPlacement, routed: String, pair: String) {
        #expect(placement.dropPoint(NetfilterFixtures.routedPoint) == routed)
        #expect(placement.dropPoint(NetfilterFixtures.pairPoint) == pair)
    }

    @Test("drop_point for nftables, the baseline and the BPF hooks")
    func otherDropPoints() throws {
        #expect(NftablesPlacement.filter.dropPoint(NetfilterFixtures.routedPoint) == "nftables filter hook forward priority 0")
        #expect(NftablesPlacement.filter.dropPoint(NetfilterFixtures.pairPoint) == "nftables filter hook input priority 0")
        #expect(NftablesPlacement.prerouting.dropPoint(NetfilterFixtures.pairPoint) == "nftables prerouting priority raw (-300)")
        #expect(NftablesPlacement.ingress.dropPoint(NetfilterFixtures.pairPoint) == "nftables netdev ingress")
        let none = try BackendFactory.make(.none).install(BackendArtifact(kind: "txt", text: ""), policy: .allowAll,
                                                          at: NetfilterFixtures.pairPoint)
        #expect(none.gates == ["drop_point": "application socket (no filter)"])
        #expect(DropPoint.xdp(mode: XDPMode.native.rawValue) == "xdp (native)")
        #expect(DropPoint.tc(mechanism: TCMechanism.clsact.rawValue) == "tc ingress (clsact)")
    }

    @Test("a kernel that lacks the feature makes the backend unsupported, with the kernel's reason")
    func kernelFeatureGap() throws {
        let native = BPFError("attach xdp (native) to blx@ns: the kernel reports generic instead", errno: EOPNOTSUPP)
        let error = try #require(throws: BackendUnsupported.self) {
            try KernelFeatureGap.unsupported(.xdp) { () throws -> Int in throw native }
        }
        #expect(error.backend == .xdp)
        #expect(error.description == "not supported by xdp: not available on this kernel: \(native.oneLine)")
        let noHook = BPFError("attach tcx ingress to blx@ns", errno: BPFError.kernelNotSupported)
        #expect(throws: BackendUnsupported.self) { try KernelFeatureGap.unsupported(.tc) { () throws -> Int in throw noHook } }
        // Anything that is not a missing feature keeps its own error, and so does a missing tool.
        let other = BPFError("load", errno: EPERM)
        #expect(throws: other) { try KernelFeatureGap.unsupported(.xdp) { () throws -> Int in throw other } }
        #expect(throws: ToolMissing.self) {
            try KernelFeatureGap.unsupported(.nftablesIngress) { () throws -> Int in throw ToolMissing(tool: "nft") }
        }
        #expect(try KernelFeatureGap.unsupported(.tc) { 7 } == 7)
    }

    /// What iptables-legacy-restore prints for a table the kernel does not have (seen here with a
    /// made-up table name); a kernel without iptable_raw answers iptables-raw the same way.
    @Test("a netfilter tool refusing a missing table makes the backend unsupported")
    func missingRawTable() throws {
        let result = CommandResult(command: Command("iptables-legacy-restore", ["-w", "--noflush"]), status: 2, stdout: "",
                                   stderr: "iptables-restore v1.8.9 (legacy): iptables-restore: unable to initialize table 'raw'\n"
                                       + "Error occurred at line: 1\nTry `iptables-restore -h' or 'iptables-restore --help' for more information.\n",
                                   elapsedSeconds: 0)
        let refused = NetfilterToolError(result, input: "*raw\nCOMMIT\n")
        let error = try #require(throws: BackendUnsupported.self) {
            try KernelFeatureGap.unsupported(.iptablesRaw) { () throws -> Int in throw refused }
        }
        #expect(error.reason.hasPrefix("not available on this kernel: `iptables-legacy-restore -w --noflush` exited 2: "))
        #expect(error.reason.contains("unable to initialize table 'raw'"))
    }
}
