@testable import LabBackends
import LabNetwork
import LabPolicy
import LabScenario
import LabSystem
import Testing

/// What install, update and remove hand to the tools: the artifact attached at the filter point,
/// one statement per update, nothing on the command line that grows with the policy.
@Suite("Netfilter loads for install, update and remove")
struct NetfilterLoadTests {
    let policy = NetfilterFixtures.features(default: .deny)

    @Test("iptables installs the artifact with the jump spliced in before COMMIT, in one restore",
          arguments: [IptablesVariant.legacy, .nft])
    func iptablesInstall(variant: IptablesVariant) throws {
        let backend = IptablesBackend(variant: variant)
        let artifact = try backend.compile(policy)
        let loads = try backend.installLoads(artifact, at: NetfilterFixtures.routedPoint)
        try #require(loads.count == 1)
        #expect(loads[0].tool == "iptables-\(variant.rawValue)-restore")
        #expect(loads[0].arguments == ["-w", "--noflush"])
        #expect(loads[0].input.hasSuffix("-A BLPOLICY -j DROP\n-A FORWARD -i blabc123-d0 -j BLPOLICY\nCOMMIT\n"))
        #expect(loads[0].input.hasPrefix(artifact.text.dropLast("COMMIT\n".count)))
        let pair = try backend.installLoads(artifact, at: NetfilterFixtures.pairPoint)[0].input
        #expect(pair.contains("\n-A INPUT -i blabc123-s0 -j BLPOLICY\nCOMMIT\n"))
    }

    @Test("iptables-ipset loads the sets first, then the chain through iptables-nft-restore")
    func ipsetInstall() throws {
        let backend = IptablesIpsetBackend(tag: "t1")
        let loads = try backend.installLoads(backend.compile(policy), at: NetfilterFixtures.routedPoint)
        try #require(loads.count == 2)
        #expect(loads[0].tool == "ipset" && loads[0].arguments == ["restore"])
        #expect(loads[0].input.hasPrefix("create bl-t1-c2 hash:net family inet hashsize 1024 maxelem 65536\nadd bl-t1-c2 198.18.32.0/20\n"))
        #expect(loads[1].tool == "iptables-nft-restore" && loads[1].arguments == ["-w", "--noflush"])
        #expect(loads[1].input.contains("-A BLPOLICY -m set --match-set bl-t1-c2 src -j DROP\n"))
        #expect(loads[1].input.hasSuffix("-A FORWARD -i blabc123-d0 -j BLPOLICY\nCOMMIT\n"))
        #expect(!loads[1].input.contains("create "), "the ipset section stays out of iptables-restore")
    }

    @Test("iptables-ipset skips ipset entirely when no clause needs a set")
    func ipsetWithoutSets() throws {
        let backend = IptablesIpsetBackend(tag: "t1")
        let single = Policy(rules: [Rule(action: .deny, source: IPv4Prefix("198.18.16.0/24"))], defaultAction: .allow)
        let loads = try backend.installLoads(backend.compile(single), at: NetfilterFixtures.pairPoint)
        #expect(loads.map(\.tool) == ["iptables-nft-restore"])
    }

    @Test("nftables installs the policy and its base chain in one nft -f transaction")
    func nftablesInstall() throws {
        let backend = NftablesBackend()
        let artifact = try backend.compile(policy)
        let loads = try backend.installLoads(artifact, at: NetfilterFixtures.routedPoint)
        try #require(loads.count == 1)
        #expect(loads[0].tool == "nft" && loads[0].arguments == ["-f", "-"])
        #expect(loads[0].input.hasPrefix(artifact.text))
        #expect(loads[0].input.hasSuffix("""
            table ip benchlab {
            \tchain blhook {
            \t\ttype filter hook forward priority filter; policy accept;
            \t\tiifname "blabc123-d0" jump blpolicy
            \t}
            }

            """))
        #expect(try backend.installLoads(artifact, at: NetfilterFixtures.pairPoint)[0].input
            .contains("type filter hook input priority filter; policy accept;\n\t\tiifname \"blabc123-s0\" jump blpolicy"))
    }

    @Test("an artifact of another backend is refused before anything runs")
    func foreignArtifact() throws {
        let nft = try NftablesBackend().compile(policy)
        #expect(throws: LabFailure.self) { try IptablesBackend(variant: .legacy).installLoads(nft, at: NetfilterFixtures.routedPoint) }
        #expect(throws: LabFailure.self) { try IptablesIpsetBackend(tag: "t1").installLoads(nft, at: NetfilterFixtures.routedPoint) }
    }

    @Test("update statements: a rule in front of the chain, or one set element")
    func updateStatements() {
        let rule = NetfilterRule(Rule(action: .deny, source: IPv4Prefix("198.18.99.0/24"), proto: .udp, destinationPorts: PortRange(port: 7001)))
        #expect(IptablesRestoreFile.insertion(rule) == "*filter\n-I BLPOLICY 1 -s 198.18.99.0/24 -p udp -m udp --dport 7001 -j DROP\nCOMMIT\n")
        #expect(NftablesScript.insertion(rule) == "insert rule ip benchlab blpolicy udp dport 7001 ip saddr 198.18.99.0/24 counter drop\n")
        #expect(NftablesScript.elementAddition(set: "src_c3", IPv4Prefix("198.18.99.0/24")!)
            == "add element ip benchlab src_c3 { 198.18.99.0/24 }\n")
    }

    @Test("removal undoes exactly what it finds: jumps first, then the chain")
    func iptablesRemoval() {
        #expect(IptablesRestoreFile.removal(jumps: ["FORWARD -i blabc123-d0 -j BLPOLICY"], chainExists: true)
            == "*filter\n-D FORWARD -i blabc123-d0 -j BLPOLICY\n-F BLPOLICY\n-X BLPOLICY\nCOMMIT\n")
        #expect(IptablesRestoreFile.removal(jumps: [], chainExists: false) == nil)
        #expect(NftablesScript.removal == "table ip benchlab\ndelete table ip benchlab\n")
    }

    @Test("an IPv6 policy is reported as not supported, with the reason", arguments: BackendKind.allCases.filter {
        [.iptablesLegacy, .iptablesNft, .iptablesIpset, .nftables].contains($0)
    })
    func ipv6Unsupported(kind: BackendKind) throws {
        let backend = try BackendFactory.make(kind)
        #expect(backend.kind == kind)
        let error = try #require(throws: BackendUnsupported.self) {
            try backend.compile(Policy(rules: [], defaultAction: .allow, family: .ipv6))
        }
        #expect(error.description == "not supported by \(kind.rawValue): the policy is ipv6; this backend builds IPv4 rulesets only for now")
        #expect(error.exitStatus == .missingFeature)
    }

    @Test("a /0 source or destination matches like no address at all")
    func zeroLengthPrefixes() {
        let rule = NetfilterRule(Rule(action: .allow, source: .any, destination: .any, proto: .icmp))
        #expect(rule.source == .any && rule.destination == nil)
        #expect(IptablesRuleSyntax.arguments(rule) == "-p icmp -j ACCEPT")
        #expect(NftablesScript.statement(rule) == "ip protocol icmp counter accept")
    }
}
