import Foundation
import LabIPAM
import LabNetwork
import Testing

@Suite("IPAM address plan record")
struct AddressPlanRecordTests {
    static let lab = IPv4Prefix("198.18.0.0/15")!

    /// Nodes and pods allocated out of name order, with a release, so the record's ordering is its own.
    static func plan() throws -> AddressPlanRecord {
        var cluster = try ClusterPool(prefixes: [IPv4Prefix("198.19.0.0/16")!], nodeMaskLength: 24, allowed: lab)
        for node in ["worker-2", "worker-1", "gone"] { try cluster.allocateNode(node) }
        try cluster.releaseNode("gone")
        _ = try cluster.allocatePod("web-b", node: "worker-1")
        _ = try cluster.allocatePod("web-a", node: "worker-1")
        _ = try cluster.allocatePod("db", node: "worker-2")
        var multi = try MultiPool(pools: ["tenant-b": [IPv4Prefix("198.18.65.0/30")!], "tenant-a": [IPv4Prefix("198.18.64.0/30")!]],
                                  allowed: lab)
        _ = try multi.allocatePod("eni-z", pool: "tenant-a")
        _ = try multi.allocatePod("eni-y", pool: "tenant-b")
        return AddressPlanRecord(cluster: cluster, multiPool: multi)
    }

    /// The options run.json is written with (RunRecordCoding), so the golden is what run.json will hold.
    static func encode(_ record: AddressPlanRecord) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(record), as: UTF8.self) + "\n"
    }

    @Test("the record lists pools and nodes by name and pods by address, with text addresses")
    func contents() throws {
        let record = try Self.plan()
        #expect(record.pools.map(\.name) == ["cluster", "tenant-a", "tenant-b"])
        #expect(record.pools.first?.nodeMaskLength == 24)
        #expect(record.pools.first?.allocated == 2)
        #expect(record.nodes.map(\.name) == ["worker-1", "worker-2"])
        #expect(record.nodes.map(\.podCIDR) == ["198.19.1.0/24", "198.19.0.0/24"])
        #expect(record.nodes.map(\.gateway) == ["198.19.1.1", "198.19.0.1"])
        #expect(record.pods.map(\.name) == ["eni-z", "eni-y", "db", "web-b", "web-a"])
        #expect(record.pods.map(\.address) == ["198.18.64.0", "198.18.65.0", "198.19.0.2", "198.19.1.2", "198.19.1.3"])
        #expect(record.pods.map(\.node) == [nil, nil, "worker-2", "worker-1", "worker-1"])
        #expect(record.pods.map(\.pool) == ["tenant-a", "tenant-b", nil, nil, nil])
    }

    @Test("the record's JSON is byte-stable (golden) and decodes to the same record")
    func json() throws {
        let record = try Self.plan()
        let text = try Self.encode(record)
        try Golden.check(text, against: Golden.directory.appendingPathComponent("ipam/address-plan.json"))
        #expect(try Self.encode(Self.plan()) == text)
        #expect(try JSONDecoder().decode(AddressPlanRecord.self, from: Data(text.utf8)) == record)
    }

    @Test("an empty plan records nothing")
    func empty() {
        let record = AddressPlanRecord()
        #expect(record.pools.isEmpty && record.nodes.isEmpty && record.pods.isEmpty)
    }
}
