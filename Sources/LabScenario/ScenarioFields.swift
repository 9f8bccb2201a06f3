import LabBackends
import LabPolicy
import LabTopology

/// The keys of each mapping a scenario has, with their shapes: the readers take their key lists
/// from here, and the JSON Schema is generated from here, so the two cannot drift apart.
enum ScenarioFields {
    static let placeholderPattern = #"\$\{[a-z][a-z0-9_]*\}"#
    static let addressPattern = #"^[0-9]{1,3}(\.[0-9]{1,3}){3}(/[0-9]{1,2})?$"#
    static let portsPattern = #"^[0-9]{1,5}(-[0-9]{1,5})?$"#

    static var header: [SchemaField] {
        [
            SchemaField("name", .text(pattern: "^[a-z0-9][a-z0-9-]*$"), "The scenario's name: lowercase letters, digits and '-'; the file is <name>.yaml."),
            SchemaField("description", .text(pattern: #"^[^\n]+$"#), "One line: it heads reports and 'benchlab list'."),
            SchemaField("topology", .either(.choice(TopologyPresets.names),
                                            .either(.object(topology, required: ["nodes", "links"]), .object(gatewayTopology, required: ["preset"]))),
                        "A preset name, a custom topology of nodes, links and attachment points, or the gateway preset with parameters."),
            SchemaField("backends", .list(of: .choice(BackendKind.allCases.map(\.rawValue)), minimumCount: 1),
                        "The backends to measure, each once."),
            SchemaField("repeat", .integer(1...100), "Measured repeats per case (default 3)."),
            SchemaField("warmup", .integer(0...10), "Warm-up rounds per case (default 1)."),
            SchemaField("parameters", .parameters, "Swept parameters: name → list of values, used as ${name} under policy and workloads."),
            SchemaField("policy", .object(policy, required: []), "The packet-filter policy every backend installs."),
            SchemaField("workloads", .workloads, "The traffic each case drives, in order."),
            SchemaField("conntrack", .object(conntrack, required: []), "Connection tracking settings of a stateful policy (needs policy.stateful: true), or the translated flows' lifetimes with snat:."),
            SchemaField("snat", .object(snat, required: []), "Source NAT at the gateways (needs topology gateway): mode, port range, egress rules."),
            SchemaField("capture", .integer(Scenario.capturePacketRange), "Save the first N packets the server side sees of each workload as a .pcap in the run directory (captures/<case>-r<round>-<workload>-<interface>.pcap), for Wireshark."),
            SchemaField("host_conntrack", .boolean, "Run nf_conntrack in the filter point's namespace for every backend (default false), as on a host that tracks connections for other reasons: drops after conntrack then pay for it."),
        ]
    }

    static let requiredHeader = ["name", "description", "backends", "workloads"]

    static var policy: [SchemaField] {
        [
            SchemaField("default", .choice(Action.allCases.map(\.rawValue)), "What happens to traffic no rule matches (default allow)."),
            SchemaField("rules", .list(of: .object(rule, required: ["action"]), minimumCount: 0), "Explicit rules, after the generated ones."),
            SchemaField("generate", .object(generator, required: ["count"]), "Seeded rules drawn from the client pool."),
            SchemaField("stateful", .boolean, "Track connections (default false): replies of tracked flows pass, new flows from the server side and invalid packets are dropped. Needs a forwarding policy point."),
        ]
    }

    static var durationShape: SchemaShape { .quantity(pattern: "^[0-9]+(ms|s|m)?$", example: "5s") }

    static var conntrack: [SchemaField] {
        [
            SchemaField("timeouts", .object(conntrackTimeouts, required: []), "Per-protocol idle timeouts (default: the kernel's)."),
            SchemaField("table_size", .integer(ConnectionTracking.tableSizeRange), "Entries the table holds (default 524288)."),
            SchemaField("sweep", .object(conntrackSweep, required: []), "When the swept BPF tracker's collector runs."),
        ]
    }

    static var conntrackTimeouts: [SchemaField] {
        [
            SchemaField("tcp_syn", durationShape, "TCP flow with a SYN but no answer yet, whole seconds (default 120s)."),
            SchemaField("tcp_established", durationShape, "Established TCP flow, whole seconds (default 5 days)."),
            SchemaField("tcp_close", durationShape, "TCP flow after a FIN or RST, whole seconds (default 120s)."),
            SchemaField("udp", durationShape, "UDP flow, whole seconds (default 30s)."),
            SchemaField("icmp", durationShape, "ICMP echo flow, whole seconds (default 30s)."),
        ]
    }

    static var conntrackSweep: [SchemaField] {
        [
            SchemaField("mode", .choice(SweepSettings.Mode.allCases.map(\.rawValue)), "fixed, or adaptive (Cilium's rule; default)."),
            SchemaField("interval", durationShape, "The first (fixed: every) interval (default 1s)."),
            SchemaField("floor", durationShape, "Shortest adaptive interval (default 100ms)."),
            SchemaField("ceiling", durationShape, "Longest adaptive interval (default 10s)."),
        ]
    }

    static var rule: [SchemaField] {
        [
            SchemaField("action", .choice(Action.allCases.map(\.rawValue)), "allow or deny."),
            SchemaField("proto", .choice(IPProtocol.allCases.map(\.rawValue)), "Protocol (default any); dport needs tcp or udp."),
            SchemaField("src", .text(pattern: addressPattern), "Source address or prefix (default any)."),
            SchemaField("dst", .text(pattern: addressPattern), "Destination address or prefix (default any)."),
            SchemaField("dport", .quantity(pattern: portsPattern, example: "8000-8080"), "Destination port or inclusive range."),
        ]
    }

    static var generator: [SchemaField] {
        [
            SchemaField("count", .integer(0...GeneratorReader.maximumCount), "How many distinct prefixes to draw."),
            SchemaField("action", .choice(Action.allCases.map(\.rawValue)), "Their action (default deny)."),
            SchemaField("seed", .integer(0...Int.max), "Seed of the draw (default 1)."),
            SchemaField("lengths", .list(of: .integer(8...32), minimumCount: 1), "Prefix lengths to draw from (default [32])."),
            SchemaField("proto", .choice(IPProtocol.allCases.map(\.rawValue)), "Protocol of the generated rules (default any)."),
            SchemaField("dport", .quantity(pattern: portsPattern, example: "8000-8080"), "Destination port or range of the generated rules."),
            SchemaField("pool", .list(of: .text(pattern: addressPattern), minimumCount: 1), "Disjoint prefixes inside the lab range to draw from."),
        ]
    }

    static var topology: [SchemaField] {
        [
            SchemaField("nodes", .list(of: .object(topologyNode, required: ["name", "role"]), minimumCount: 2), "2 to 16 namespaces."),
            SchemaField("links", .list(of: .object(topologyLink, required: ["a", "b"]), minimumCount: 0), "veth pairs between nodes."),
            SchemaField("attach", .named(.object(attachment, required: ["node"])), "Named attachment points: {node, from} or {node, to}."),
        ]
    }

    static var gatewayTopology: [SchemaField] {
        [
            SchemaField("preset", .choice(["gateway"]), "The parameterised preset."),
            SchemaField("nodes", .integer(GatewayParameters.nodeRange), "Worker nodes n1…nM (default 2); n1 is the client."),
            SchemaField("pods_per_node", .integer(GatewayParameters.podsPerNodeRange), "Pod addresses per node (default 32), owned by the node by AnyIP."),
            SchemaField("gateways", .integer(GatewayParameters.gatewayRange), "1, or 2 for failover (default 1)."),
            SchemaField("cluster_pool", .either(.text(pattern: addressPattern), .list(of: .text(pattern: addressPattern), minimumCount: 1)),
                        "Prefix(es) carved into per-node pod CIDRs, inside 198.18.0.0/15 and outside 198.18.0.0/20 (default 198.18.64.0/18)."),
            SchemaField("node_mask", .integer(1...32), "Per-node pod CIDR length (default 24)."),
        ]
    }

    static var snat: [SchemaField] {
        [
            SchemaField("mode", .choice(SNATMode.allCases.map(\.rawValue)), "masquerade (the egress interface's address; default) or snat (the address written into the rule)."),
            SchemaField("ports", .quantity(pattern: portsPattern, example: "20000-20999"), "Translated source ports (default 1024-65535)."),
            SchemaField("random_fully", .boolean, "Pick every translated port at random (default false)."),
            SchemaField("drop_invalid", .boolean, "Drop at the gateway what its connection tracker calls invalid (default true): without it, netfilter forwards invalid packets — e.g. mid-stream packets after a failover — untranslated. The BPF NAT always drops them."),
            SchemaField("egress", .list(of: .object(egressRule, required: ["from", "via"]), minimumCount: 1),
                        "Which pods leave through which egress IPs, first match wins (default: every pod CIDR via every gateway, gw1 first)."),
        ]
    }

    static var egressRule: [SchemaField] {
        [
            SchemaField("from", .either(.text(pattern: addressPattern), .list(of: .text(pattern: addressPattern), minimumCount: 1)),
                        "Pod source prefix(es)."),
            SchemaField("via", .either(.text(pattern: addressPattern), .list(of: .text(pattern: addressPattern), minimumCount: 1)),
                        "Egress IP(s), preferred first: the gateways' external addresses (gw1 198.18.4.1, gw2 198.18.5.1)."),
        ]
    }

    static var topologyNode: [SchemaField] {
        [
            SchemaField("name", .text(pattern: "^[a-z][a-z0-9]*$"), "Lowercase letters and digits."),
            SchemaField("role", .text(pattern: nil), "client, server, router, or any other role."),
        ]
    }

    static var topologyLink: [SchemaField] {
        [
            SchemaField("a", .text(pattern: nil), "One end's node."),
            SchemaField("b", .text(pattern: nil), "The other end's node."),
            SchemaField("type", .choice(TopologySpec.LinkKind.allCases.map(\.rawValue)), "Link kind (default veth)."),
            SchemaField("a_address", .text(pattern: addressPattern), "a's address with prefix length."),
            SchemaField("b_address", .text(pattern: addressPattern), "b's address with prefix length."),
        ]
    }

    static var attachment: [SchemaField] {
        [
            SchemaField("node", .text(pattern: nil), "The node whose interface it is."),
            SchemaField("from", .text(pattern: nil), "Ingress on the interface facing this node."),
            SchemaField("to", .text(pattern: nil), "Egress on the interface facing this node."),
        ]
    }
}
