import Foundation
@testable import LabBackends
import LabNetwork
import LabPolicy
import LabTopology
import Testing

/// The netfilter SNAT rulesets of an egress gateway (iptables-legacy, iptables-nft, nftables): the
/// artifacts are golden files per mode × random-fully, the filter chain decides exactly as
/// `EgressReference` (first rule wins, other gateways' rules drop, unselected sources drop), and the
/// backends that cannot place NAT say so. Set BENCHLAB_UPDATE_GOLDEN=1 to rewrite the goldens.
@Suite("Netfilter SNAT: artifacts, shadowing, loads and refusals")
struct NetfilterSNATTests {
    static func prefix(_ text: String) -> IPv4Prefix { IPv4Prefix(text)! }
    static func address(_ text: String) -> IPv4Address { IPv4Address(text)! }
    static let gateway = address("198.18.0.5")
    static let other = address("198.18.0.9")
    static let kinds: [BackendKind] = [.iptablesLegacy, .iptablesNft, .nftables]

    /// Two prefixes leaving here; a /24 sent to the other gateway, inside a /20 that leaves here
    /// later (shadowing: the /24 must drop); a rule listing this gateway second (still translated).
    static func policy(_ mode: SNATMode, randomFully: Bool) -> Policy {
        let snat = SNATPolicy(mode: mode, ports: PortRange(20000, 20099)!, randomFully: randomFully, egress: [
            EgressRule(sources: [prefix("198.18.16.0/24"), prefix("198.18.17.0/24")], egressIPs: [gateway]),
            EgressRule(sources: [prefix("198.18.18.0/24")], egressIPs: [other]),
            EgressRule(sources: [prefix("198.18.16.0/20")], egressIPs: [other, gateway]),
            EgressRule(sources: [prefix("198.18.64.0/24"), prefix("198.18.65.0/24")], egressIPs: [other]),
        ]).at(gateway: gateway)
        return Policy(rules: [], defaultAction: .allow, snat: snat)
    }

    static let goldenCases: [(BackendKind, SNATMode, Bool)] = kinds.flatMap { kind in
        SNATMode.allCases.flatMap { mode in [(kind, mode, false), (kind, mode, true)] }
    }

    @Test("each mode with and without random-fully compiles to the golden file", arguments: goldenCases)
    func golden(kind: BackendKind, mode: SNATMode, randomFully: Bool) throws {
        let artifact = try BackendFactory.make(kind).compile(Self.policy(mode, randomFully: randomFully))
        let file = "\(kind.rawValue)-\(mode.rawValue)\(randomFully ? "-random-fully" : "")"
        try Golden.check(artifact.text, against: Golden.directory.appendingPathComponent("netfilter/snat/\(file).\(artifact.kind)"))
    }

    @Test("the install loads at the routed point match the golden file: jumps for -o <egress> only", arguments: kinds)
    func loadsGolden(kind: BackendKind) throws {
        let backend = try BackendFactory.make(kind) as! any NetfilterBackend
        let artifact = try backend.compile(Self.policy(.masquerade, randomFully: true))
        var text = ""
        for load in try backend.installLoads(artifact, at: NetfilterFixtures.routedPoint) {
            text += "#### \(([load.tool] + load.arguments).joined(separator: " "))\n\(load.input)"
        }
        try Golden.check(text, against: Golden.directory.appendingPathComponent("netfilter/snat/\(kind.rawValue)-install.loads"))
    }

    /// Addresses around every prefix edge of the policy, and some no rule selects.
    static let sources: [IPv4Address] = ["198.18.16.1", "198.18.17.200", "198.18.18.7", "198.18.19.1", "198.18.31.255",
                                         "198.18.32.1", "198.18.64.9", "198.18.65.9", "198.18.66.1", "10.0.0.1"].map { address($0) }

    @Test("the iptables filter chain decides per source as EgressReference does (first rule wins)", arguments: SNATMode.allCases)
    func iptablesShadowing(mode: SNATMode) throws {
        let policy = Self.policy(mode, randomFully: false)
        let text = try BackendFactory.make(.iptablesNft).compile(policy).text
        let chain = text.split(separator: "\n").filter { $0.hasPrefix("-A BLEGRESS ") }.map { $0.split(separator: " ").map(String.init) }
        #expect(chain.last == ["-A", "BLEGRESS", "-j", "DROP"], "unselected sources are dropped")
        #expect(chain.first?.joined(separator: " ") == "-A BLEGRESS " + IptablesSNATFile.invalidRule, "invalid packets go first")
        for source in Self.sources {
            let rule = try #require(chain.dropFirst().first { words in
                guard let s = words.firstIndex(of: "-s") else { return true }
                return Self.prefix(words[s + 1]).contains(source)
            })
            let accepted = rule.last == "ACCEPT"
            #expect(accepted == (EgressReference.verdict(policy.snat!, gateway: Self.gateway, source: source) == .translate(Self.gateway)),
                    "\(source): \(rule.joined(separator: " "))")
            let translatedByNat = text.split(separator: "\n").contains { line in
                line.hasPrefix("-A BLSNAT -s ") && Self.prefix(String(line.split(separator: " ")[3])).contains(source)
            }
            if accepted { #expect(translatedByNat, "\(source) leaves, so a nat rule must translate it") }
        }
    }

    @Test("the nftables filter chain decides per source as EgressReference does (sets resolved)", arguments: SNATMode.allCases)
    func nftablesShadowing(mode: SNATMode) throws {
        let policy = Self.policy(mode, randomFully: true)
        let text = try BackendFactory.make(.nftables).compile(policy).text
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        // Set elements, by set name.
        var sets: [String: [IPv4Prefix]] = [:]
        var current: String?
        for line in lines {
            if line.hasPrefix("set ") { current = String(line.split(separator: " ")[1]); continue }
            if let name = current, let element = IPv4Prefix(line.trimmingCharacters(in: [","])) { sets[name, default: []].append(element) }
            if line == "}" { current = nil }
        }
        let start = try #require(lines.firstIndex(of: "chain blegress {"))
        let chain = lines[(start + 1)...].prefix { $0 != "}" }
        #expect(chain.last == "counter drop")
        #expect(chain.first == NftablesSNATScript.invalidRule, "invalid packets are dropped before any source is accepted")
        func matches(_ rule: String, _ source: IPv4Address) -> Bool {
            let words = rule.split(separator: " ").map(String.init)
            guard let saddr = words.firstIndex(of: "saddr") else { return true }
            let target = words[saddr + 1]
            if target.hasPrefix("@") { return sets[String(target.dropFirst()), default: []].contains { $0.contains(source) } }
            return Self.prefix(target).contains(source)
        }
        for source in Self.sources {
            let rule = try #require(chain.dropFirst().first { matches($0, source) })
            #expect(rule.hasSuffix("accept") == (EgressReference.verdict(policy.snat!, gateway: Self.gateway, source: source) != .drop),
                    "\(source): \(rule)")
        }
    }

    @Test("nat rules: the port range for TCP and UDP, the rest translated without ports; only translated rules")
    func natRules() throws {
        let snat = try BackendFactory.make(.iptablesLegacy).compile(Self.policy(.snat, randomFully: true)).text
        #expect(snat.contains("-A BLSNAT -s 198.18.16.0/24 -p tcp -j SNAT --to-source 198.18.0.5:20000-20099 --random-fully\n"))
        #expect(snat.contains("-A BLSNAT -s 198.18.16.0/24 -p udp -j SNAT --to-source 198.18.0.5:20000-20099 --random-fully\n"))
        #expect(snat.contains("-A BLSNAT -s 198.18.16.0/24 -j SNAT --to-source 198.18.0.5 --random-fully\n"))
        #expect(!snat.contains("-A BLSNAT -s 198.18.18.0/24"), "a rule for another gateway has no nat rule")
        let masquerade = try BackendFactory.make(.nftables).compile(Self.policy(.masquerade, randomFully: false)).text
        #expect(masquerade.contains("\t\tip saddr @src_r0 meta l4proto { tcp, udp } counter masquerade to :20000-20099\n"))
        #expect(masquerade.contains("\t\tip saddr 198.18.16.0/20 counter masquerade\n"))
        #expect(!masquerade.contains("fully-random"))
    }

    @Test("an egress rule added in front: both chains, compiled order kept, one load")
    func insertion() throws {
        let layout = SNATLayout(Self.policy(.masquerade, randomFully: true).snat!)
        let rule = EgressRule(sources: [Self.prefix("198.18.40.0/24"), Self.prefix("198.18.41.0/24")], egressIPs: [Self.gateway])
        #expect(IptablesSNATFile.insertion(layout.entry(rule), layout) == """
            *nat
            -I BLSNAT 1 -s 198.18.41.0/24 -j MASQUERADE --random-fully
            -I BLSNAT 1 -s 198.18.41.0/24 -p udp -j MASQUERADE --to-ports 20000-20099 --random-fully
            -I BLSNAT 1 -s 198.18.41.0/24 -p tcp -j MASQUERADE --to-ports 20000-20099 --random-fully
            -I BLSNAT 1 -s 198.18.40.0/24 -j MASQUERADE --random-fully
            -I BLSNAT 1 -s 198.18.40.0/24 -p udp -j MASQUERADE --to-ports 20000-20099 --random-fully
            -I BLSNAT 1 -s 198.18.40.0/24 -p tcp -j MASQUERADE --to-ports 20000-20099 --random-fully
            COMMIT
            *filter
            -I BLEGRESS 2 -s 198.18.41.0/24 -j ACCEPT
            -I BLEGRESS 2 -s 198.18.40.0/24 -j ACCEPT
            COMMIT

            """)
        #expect(NftablesSNATScript.insertion(layout.entry(rule), layout) == """
            insert rule ip blnat blsnat ip saddr { 198.18.40.0/24, 198.18.41.0/24 } counter masquerade fully-random
            insert rule ip blnat blsnat ip saddr { 198.18.40.0/24, 198.18.41.0/24 } meta l4proto { tcp, udp } counter masquerade to :20000-20099 fully-random
            insert rule ip blnat blegress index 1 ip saddr { 198.18.40.0/24, 198.18.41.0/24 } counter accept

            """)
        let elsewhere = EgressRule(sources: [Self.prefix("198.18.42.0/24")], egressIPs: [Self.other])
        #expect(NftablesSNATScript.insertion(layout.entry(elsewhere), layout) == "insert rule ip blnat blegress index 1 ip saddr 198.18.42.0/24 counter drop\n")
        #expect(IptablesSNATFile.insertion(layout.entry(elsewhere), layout) == "*nat\nCOMMIT\n*filter\n-I BLEGRESS 2 -s 198.18.42.0/24 -j DROP\nCOMMIT\n")
        var permissive = layout
        permissive.dropInvalid = false
        #expect(IptablesSNATFile.insertion(permissive.entry(elsewhere), permissive) == "*nat\nCOMMIT\n*filter\n-I BLEGRESS 1 -s 198.18.42.0/24 -j DROP\nCOMMIT\n")
        #expect(NftablesSNATScript.insertion(permissive.entry(elsewhere), permissive) == "insert rule ip blnat blegress ip saddr 198.18.42.0/24 counter drop\n")
    }

    @Test("the drop-point placements and iptables-ipset refuse an SNAT policy, saying why",
          arguments: [BackendKind.iptablesIpset, .iptablesRaw, .iptablesNotrack, .nftablesPrerouting, .nftablesIngress])
    func refused(kind: BackendKind) throws {
        let error = try #require(throws: BackendUnsupported.self) { try BackendFactory.make(kind).compile(Self.policy(.masquerade, randomFully: false)) }
        #expect(error.backend == kind && error.description.contains("SNAT") && error.description.contains("use "))
    }

    @Test("an SNAT policy without its gateway, with filter rules, or at a point that does not forward is refused", arguments: kinds)
    func malformed(kind: BackendKind) throws {
        let backend = try BackendFactory.make(kind) as! any NetfilterBackend
        var everyGateway = Self.policy(.masquerade, randomFully: false)
        everyGateway.snat!.gateway = nil
        #expect(throws: BackendUnsupported.self) { try backend.compile(everyGateway) }
        var withRules = Self.policy(.masquerade, randomFully: false)
        withRules.rules = [Rule(action: .deny, proto: .tcp)]
        #expect(throws: BackendUnsupported.self) { try backend.compile(withRules) }
        let artifact = try backend.compile(Self.policy(.masquerade, randomFully: false))
        #expect(throws: BackendUnsupported.self) { try backend.installLoads(artifact, at: NetfilterFixtures.pairPoint) }
    }

    @Test("the nat counters are read from the MASQUERADE/SNAT rules of the lab chain only")
    func counterReaders() throws {
        let saved = """
            *nat
            :POSTROUTING ACCEPT [0:0]
            :BLSNAT - [0:0]
            [9:540] -A POSTROUTING -o blabc123-d1 -j BLSNAT
            [4:240] -A BLSNAT -s 198.18.16.0/24 -p tcp -j MASQUERADE --to-ports 20000-20099
            [3:180] -A BLSNAT -s 198.18.16.0/24 -p udp -j SNAT --to-source 198.18.0.5:20000-20099
            [1:84] -A BLSNAT -s 198.18.16.0/24 -j MASQUERADE
            COMMIT
            """
        let reader = IptablesSaveReader(saved)
        #expect(reader.packets(in: "BLSNAT", targets: ["MASQUERADE", "SNAT"]) == 8)
        #expect(reader.jumps(to: "BLSNAT") == ["POSTROUTING -o blabc123-d1 -j BLSNAT"])
        let json = """
            {"nftables": [{"metainfo": {"version": "1.0.6"}}, {"chain": {"family": "ip", "table": "blnat", "name": "blsnat"}},
            {"rule": {"expr": [{"match": {}}, {"counter": {"packets": 5, "bytes": 300}}, {"masquerade": {"port": {"range": [20000, 20003]}}}]}},
            {"rule": {"expr": [{"counter": {"packets": 2, "bytes": 120}}, {"snat": {"addr": "198.18.0.5"}}]}},
            {"rule": {"expr": [{"counter": {"packets": 7, "bytes": 120}}, {"accept": null}]}}]}
            """
        #expect(try NftablesCounterReader.packets(json, statements: ["masquerade", "snat"]) == 7)
    }
}
