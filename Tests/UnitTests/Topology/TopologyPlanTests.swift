import LabNetwork
import LabPolicy
import LabTopology
import Testing

@Suite("Topology plan")
struct TopologyPlanTests {
    @Test("names fit IFNAMSIZ and carry the lab prefix and id")
    func names() {
        let plan = TopologyPlan(preset: .routed, id: "k3x9q0")
        #expect(plan.topology.namespaces == ["bl-k3x9q0-cli", "bl-k3x9q0-dut", "bl-k3x9q0-srv"])
        #expect(plan.topology.interfaces.map(\.name) == ["blk3x9q0-c0", "blk3x9q0-d0", "blk3x9q0-d1", "blk3x9q0-s0"])
        #expect(plan.topology.interfaces.allSatisfy { $0.name.utf8.count <= 15 })
    }

    @Test("routed: filters sit on the dut's interface facing the client, in FORWARD")
    func routedFilterPoint() {
        let point = TopologyPlan(preset: .routed, id: "aaaaaa").topology.filterPoint
        #expect(point == FilterPoint(namespace: "bl-aaaaaa-dut", ingressInterface: "blaaaaaa-d0", egressInterface: "blaaaaaa-d1", hook: .forward))
    }

    @Test("pair: filters sit on the server's interface, in INPUT")
    func pairFilterPoint() {
        let point = TopologyPlan(preset: .pair, id: "aaaaaa").topology.filterPoint
        #expect(point == FilterPoint(namespace: "bl-aaaaaa-srv", ingressInterface: "blaaaaaa-s0", egressInterface: nil, hook: .input))
    }

    @Test("routed commands: addresses, permanent neighbours, lab-only routes, AnyIP pools")
    func routedCommands() {
        let plan = TopologyPlan(preset: .routed, id: "aaaaaa")
        #expect(plan.commands(for: "bl-aaaaaa-cli") == [
            "link set lo up",
            "addr add 198.18.0.1/30 dev blaaaaaa-c0",
            "link set blaaaaaa-c0 up",
            "neigh replace 198.18.0.2 lladdr 02:62:6c:00:00:02 dev blaaaaaa-c0 nud permanent",
            "route add 198.18.0.0/15 via 198.18.0.2",
            "route add local 198.18.16.0/20 dev lo",
            "route add local 198.18.32.0/19 dev lo",
            "route add local 198.18.64.0/18 dev lo",
            "route add local 198.18.128.0/17 dev lo",
            "route add local 198.19.0.0/16 dev lo",
        ])
        #expect(plan.commands(for: "bl-aaaaaa-dut") == [
            "link set lo up",
            "addr add 198.18.0.2/30 dev blaaaaaa-d0",
            "link set blaaaaaa-d0 up",
            "addr add 198.18.0.5/30 dev blaaaaaa-d1",
            "link set blaaaaaa-d1 up",
            "neigh replace 198.18.0.1 lladdr 02:62:6c:00:00:01 dev blaaaaaa-d0 nud permanent",
            "neigh replace 198.18.0.6 lladdr 02:62:6c:00:00:06 dev blaaaaaa-d1 nud permanent",
            "route add 198.18.1.0/24 via 198.18.0.6",
            "route add 198.18.16.0/20 via 198.18.0.1",
            "route add 198.18.32.0/19 via 198.18.0.1",
            "route add 198.18.64.0/18 via 198.18.0.1",
            "route add 198.18.128.0/17 via 198.18.0.1",
            "route add 198.19.0.0/16 via 198.18.0.1",
        ])
        #expect(plan.commands(for: "bl-aaaaaa-srv") == [
            "link set lo up",
            "addr add 198.18.0.6/30 dev blaaaaaa-s0",
            "link set blaaaaaa-s0 up",
            "neigh replace 198.18.0.5 lladdr 02:62:6c:00:00:05 dev blaaaaaa-s0 nud permanent",
            "addr add 198.18.1.1/32 dev lo",
            "route add local 198.18.1.0/24 dev lo",
            "route add 198.18.0.0/15 via 198.18.0.5",
        ])
    }

    @Test("no namespace is routed outside 198.18.0.0/15", arguments: TopologyPresets.all)
    func staysInsideTheLab(shape: TopologyPreset) {
        let plan = TopologyPlan(preset: shape, id: "aaaaaa")
        for namespace in plan.topology.namespaces {
            for line in plan.commands(for: namespace) where line.hasPrefix("route add") {
                let target = line.split(separator: " ")[line.hasPrefix("route add local") ? 3 : 2]
                let prefix = IPv4Prefix(target)
                #expect(prefix.map { AddressPlan.lab.contains($0) } == true, "\(namespace): \(line)")
            }
        }
    }

    @Test("the dut forwards; the client may reuse TIME_WAIT ports")
    func sysctls() {
        let plan = TopologyPlan(preset: .routed, id: "aaaaaa")
        #expect(plan.sysctls(for: "bl-aaaaaa-dut").contains { $0 == ("net.ipv4.ip_forward", "1") })
        #expect(!plan.sysctls(for: "bl-aaaaaa-srv").contains { $0.0 == "net.ipv4.ip_forward" })
        #expect(plan.sysctls(for: "bl-aaaaaa-cli").contains { $0 == ("net.ipv4.tcp_tw_reuse", "1") })
    }
}

@Suite("BPF pin root")
struct BPFPinRootTests {
    @Test("only a bpf filesystem at exactly the pin root counts as mounted")
    func mountDetection() {
        let mounts = """
            sysfs /sys sysfs rw,relatime 0 0
            bpf /sys/fs/bpf bpf rw,relatime 0 0
            tmpfs /run/benchlab/bpffs tmpfs rw 0 0
            """
        #expect(BPFPinRoot.mountedBPFFS(in: mounts, at: "/sys/fs/bpf"))
        #expect(!BPFPinRoot.mountedBPFFS(in: mounts, at: "/run/benchlab/bpffs"))
        #expect(BPFPinRoot.mountedBPFFS(in: "bpf /run/benchlab/bpffs bpf rw 0 0", at: "/run/benchlab/bpffs"))
    }
}
