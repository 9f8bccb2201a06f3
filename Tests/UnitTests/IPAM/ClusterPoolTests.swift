import LabIPAM
import LabNetwork
import Testing

@Suite("IPAM cluster pool")
struct ClusterPoolTests {
    static let lab = IPv4Prefix("198.18.0.0/15")!

    static func pool(_ prefixes: String..., mask: UInt8) throws -> ClusterPool {
        try ClusterPool(prefixes: prefixes.map { IPv4Prefix($0)! }, nodeMaskLength: mask, allowed: lab)
    }

    @Test("nodes get the next free node CIDR in order, across the cluster prefixes as given")
    func nodeOrder() throws {
        var pool = try Self.pool("198.19.0.0/23", "198.18.128.0/23", mask: 24)
        #expect(pool.capacity == 4)
        #expect(try pool.allocateNode("a").prefix.description == "198.19.0.0/24")
        #expect(try pool.allocateNode("b").prefix.description == "198.19.1.0/24")
        #expect(try pool.allocateNode("c").prefix.description == "198.18.128.0/24")
        #expect(try pool.allocateNode("d").prefix.description == "198.18.129.0/24")
        #expect(pool.allocatedCount == 4)
    }

    @Test("pods skip the network and gateway addresses and never get the broadcast address")
    func podOrder() throws {
        var pool = try Self.pool("198.19.0.0/16", mask: 30)
        let node = try pool.allocateNode("a")
        #expect(node.gateway.description == "198.19.0.1")
        #expect(node.capacity == 1)
        #expect(try pool.allocatePod("p1", node: "a").description == "198.19.0.2")
        #expect(throws: IPAMError.self) { try pool.allocatePod("p2", node: "a") }

        var wide = try Self.pool("198.19.0.0/16", mask: 24)
        try wide.allocateNode("a")
        #expect(try wide.allocatePod("p1", node: "a").description == "198.19.0.2")
        #expect(try wide.allocatePod("p2", node: "a").description == "198.19.0.3")
        #expect(wide.nodes["a"]?.capacity == 253)
        #expect(wide.nodes["a"]?.pods == ["p1": IPv4Address("198.19.0.2")!, "p2": IPv4Address("198.19.0.3")!])
    }

    @Test("a released node CIDR or pod address is the next one handed out")
    func releaseAndReuse() throws {
        var pool = try Self.pool("198.19.0.0/22", mask: 24)
        for name in ["a", "b", "c"] { try pool.allocateNode(name) }
        #expect(try pool.releaseNode("b").description == "198.19.1.0/24")
        #expect(pool.nodes["b"] == nil)
        #expect(try pool.allocateNode("d").prefix.description == "198.19.1.0/24")
        #expect(try pool.allocateNode("e").prefix.description == "198.19.3.0/24")

        for name in ["p1", "p2", "p3"] { _ = try pool.allocatePod(name, node: "a") }
        #expect(try pool.releasePod("p2", node: "a").description == "198.19.0.3")
        #expect(try pool.allocatePod("p4", node: "a").description == "198.19.0.3")
        #expect(try pool.allocatePod("p5", node: "a").description == "198.19.0.5")
    }

    @Test("releasing a node frees its pods with it")
    func releaseNodeFreesPods() throws {
        var pool = try Self.pool("198.19.0.0/24", mask: 25)
        try pool.allocateNode("a")
        _ = try pool.allocatePod("p1", node: "a")
        try pool.releaseNode("a")
        try pool.allocateNode("b")
        #expect(pool.nodes["b"]?.prefix.description == "198.19.0.0/25")
        #expect(pool.nodes["b"]?.pods.isEmpty == true)
        #expect(try pool.allocatePod("p1", node: "b").description == "198.19.0.2")
    }

    @Test("node exhaustion names the pool, its size and how many are taken")
    func nodeExhaustion() throws {
        var pool = try Self.pool("198.19.0.0/16", mask: 24)
        for index in 0..<256 { try pool.allocateNode("node-\(index)") }
        let error = #expect(throws: IPAMError.self) { try pool.allocateNode("one-too-many") }
        #expect(error?.description == "cluster pool 198.19.0.0/16 with /24 per node is exhausted: 256 of 256 node CIDRs allocated")

        var two = try Self.pool("198.19.0.0/24", "198.18.64.0/24", mask: 25)
        for index in 0..<4 { try two.allocateNode("node-\(index)") }
        let both = #expect(throws: IPAMError.self) { try two.allocateNode("node-4") }
        #expect(both?.description == "cluster pool 198.19.0.0/24, 198.18.64.0/24 with /25 per node is exhausted: 4 of 4 node CIDRs allocated")
    }

    @Test("pod exhaustion names the node, its pod CIDR and how many are taken")
    func podExhaustion() throws {
        var pool = try Self.pool("198.19.0.0/16", mask: 28)
        try pool.allocateNode("worker-1")
        for index in 0..<13 { _ = try pool.allocatePod("pod-\(index)", node: "worker-1") }
        #expect(pool.nodes["worker-1"]?.pods["pod-12"]?.description == "198.19.0.14")
        let error = #expect(throws: IPAMError.self) { try pool.allocatePod("pod-13", node: "worker-1") }
        #expect(error?.description == "pod CIDR 198.19.0.0/28 of node worker-1 is exhausted: 13 of 13 pod addresses allocated")
    }

    @Test("mask sizes that do not split the cluster prefix, or leave no pod address, are rejected", arguments: [
        (UInt8(16), "per-node mask /16 is not longer than cluster prefix 198.19.0.0/16"),
        (UInt8(8), "per-node mask /8 is not longer than cluster prefix 198.19.0.0/16"),
        (UInt8(31), "per-node mask /31 leaves no pod addresses (network, gateway and broadcast addresses are reserved)"),
        (UInt8(32), "per-node mask /32 leaves no pod addresses (network, gateway and broadcast addresses are reserved)"),
        (UInt8(40), "per-node mask /40 leaves no pod addresses (network, gateway and broadcast addresses are reserved)"),
    ])
    func badMasks(mask: UInt8, message: String) {
        let error = #expect(throws: IPAMError.self) { try Self.pool("198.19.0.0/16", mask: mask) }
        #expect(error?.description == message)
    }

    @Test("cluster prefixes that overlap each other or leave the allowed range are rejected")
    func badPrefixes() {
        let overlap = #expect(throws: IPAMError.self) { try Self.pool("198.19.0.0/16", "198.19.128.0/20", mask: 24) }
        #expect(overlap?.description == "cluster pool prefix 198.19.0.0/16 overlaps cluster pool prefix 198.19.128.0/20")
        let outside = #expect(throws: IPAMError.self) { try Self.pool("10.0.0.0/16", mask: 24) }
        #expect(outside?.description == "cluster pool prefix 10.0.0.0/16 is outside the allowed range 198.18.0.0/15")
        // Partly outside is outside: 198.16.0.0/14 holds the lab and more.
        #expect(throws: IPAMError.outsideAllowedRange(IPv4Prefix("198.16.0.0/14")!, owner: "cluster pool", allowed: Self.lab)) {
            try Self.pool("198.16.0.0/14", mask: 24)
        }
        #expect(throws: IPAMError.emptyPool(owner: "cluster pool")) { try Self.pool(mask: 24) }
    }

    @Test("unknown names and duplicates are errors, not silent no-ops")
    func unknownAndDuplicate() throws {
        var pool = try Self.pool("198.19.0.0/16", mask: 24)
        try pool.allocateNode("a")
        _ = try pool.allocatePod("p", node: "a")
        #expect((#expect(throws: IPAMError.self) { try pool.allocateNode("a") })?.description
            == "a already holds 198.19.0.0/24 in cluster pool")
        #expect((#expect(throws: IPAMError.self) { try pool.allocatePod("p", node: "a") })?.description
            == "p already holds 198.19.0.2 in node a")
        #expect((#expect(throws: IPAMError.self) { try pool.allocatePod("q", node: "b") })?.description
            == "no node named b holds a pod CIDR")
        #expect((#expect(throws: IPAMError.self) { try pool.releasePod("q", node: "a") })?.description
            == "no pod named q in node a")
        #expect(throws: IPAMError.unknownNode("b")) { try pool.releaseNode("b") }
    }

    @Test("the same requests give the same addresses")
    func determinism() throws {
        func plan() throws -> ClusterPool {
            var pool = try Self.pool("198.19.0.0/20", "198.18.192.0/22", mask: 26)
            for node in 0..<80 { try pool.allocateNode("node-\(node)") }
            for node in stride(from: 0, to: 80, by: 3) { try pool.releaseNode("node-\(node)") }
            for node in 0..<20 { try pool.allocateNode("late-\(node)") }
            for pod in 0..<40 { _ = try pool.allocatePod("pod-\(pod)", node: "late-\(pod % 20)") }
            return pool
        }
        let first = try plan()
        #expect(try plan() == first)
        #expect(first.nodes["late-0"]?.prefix.description == "198.19.0.0/26")
        #expect(first.nodes["node-79"]?.prefix.description == "198.18.195.192/26")
    }
}
