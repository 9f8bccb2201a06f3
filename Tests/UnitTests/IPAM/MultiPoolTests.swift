import LabIPAM
import LabNetwork
import Testing

@Suite("IPAM multi-pool")
struct MultiPoolTests {
    static let lab = IPv4Prefix("198.18.0.0/15")!

    static func pools(_ pools: [String: [String]]) throws -> MultiPool {
        try MultiPool(pools: pools.mapValues { $0.map { IPv4Prefix($0)! } }, allowed: lab)
    }

    @Test("pods get addresses from the named pool, every address of its prefixes in order")
    func allocationOrder() throws {
        var pools = try Self.pools(["blue": ["198.18.64.0/31", "198.18.96.7/32"], "green": ["198.18.65.0/24"]])
        #expect(try pools.allocatePod("a", pool: "blue").description == "198.18.64.0")
        #expect(try pools.allocatePod("b", pool: "green").description == "198.18.65.0")
        #expect(try pools.allocatePod("c", pool: "blue").description == "198.18.64.1")
        #expect(try pools.allocatePod("d", pool: "blue").description == "198.18.96.7")
        #expect(pools.pools["blue"]?.pods == ["a": IPv4Address("198.18.64.0")!, "c": IPv4Address("198.18.64.1")!,
                                              "d": IPv4Address("198.18.96.7")!])
        #expect(pools.names == ["blue", "green"])
    }

    @Test("a released address is the next one handed out from its pool")
    func releaseAndReuse() throws {
        var pools = try Self.pools(["blue": ["198.18.64.0/29"]])
        for name in ["a", "b", "c"] { _ = try pools.allocatePod(name, pool: "blue") }
        #expect(try pools.releasePod("b", pool: "blue").description == "198.18.64.1")
        #expect(try pools.allocatePod("d", pool: "blue").description == "198.18.64.1")
        #expect(try pools.allocatePod("e", pool: "blue").description == "198.18.64.3")
        #expect((#expect(throws: IPAMError.self) { try pools.releasePod("b", pool: "blue") })?.description
            == "no pod named b in pool blue")
    }

    @Test("exhaustion names the pool, its prefixes, its size and how many are taken")
    func exhaustion() throws {
        var pools = try Self.pools(["blue": ["198.18.64.0/30", "198.18.70.0/31"], "green": ["198.18.65.0/24"]])
        for index in 0..<6 { _ = try pools.allocatePod("pod-\(index)", pool: "blue") }
        let error = #expect(throws: IPAMError.self) { try pools.allocatePod("pod-6", pool: "blue") }
        #expect(error?.description == "pool blue (198.18.64.0/30, 198.18.70.0/31) is exhausted: 6 of 6 addresses allocated")
        // The other pool is untouched.
        #expect(try pools.allocatePod("pod-6", pool: "green").description == "198.18.65.0")
    }

    @Test("an unknown pool is an error naming the known ones")
    func unknownPool() throws {
        var pools = try Self.pools(["green": ["198.18.65.0/24"], "blue": ["198.18.64.0/24"]])
        let error = #expect(throws: IPAMError.self) { try pools.allocatePod("a", pool: "red") }
        #expect(error?.description == "no pool named red; known pools: blue, green")
        #expect(throws: IPAMError.unknownPool("red", known: ["blue", "green"])) { try pools.releasePod("a", pool: "red") }
        var none = try Self.pools([:])
        #expect((#expect(throws: IPAMError.self) { try none.allocatePod("a", pool: "red") })?.description
            == "no pool named red; known pools: none")
    }

    @Test("pools that overlap, within a pool or across pools, are rejected naming both prefixes")
    func overlap() {
        let across = #expect(throws: IPAMError.self) {
            try Self.pools(["blue": ["198.18.64.0/24"], "green": ["198.18.70.0/24", "198.18.64.128/25"]])
        }
        #expect(across?.description == "pool blue prefix 198.18.64.0/24 overlaps pool green prefix 198.18.64.128/25")
        let within = #expect(throws: IPAMError.self) { try Self.pools(["blue": ["198.18.64.0/24", "198.18.64.9/32"]]) }
        #expect(within?.description == "pool blue prefix 198.18.64.0/24 overlaps pool blue prefix 198.18.64.9/32")
        let same = #expect(throws: IPAMError.self) { try Self.pools(["blue": ["198.18.64.0/24"], "green": ["198.18.64.0/24"]]) }
        #expect(same?.description == "pool blue prefix 198.18.64.0/24 overlaps pool green prefix 198.18.64.0/24")
        // Adjacent is not overlapping.
        #expect(throws: Never.self) { try Self.pools(["blue": ["198.18.64.0/24"], "green": ["198.18.65.0/24"]]) }
    }

    @Test("a pool outside the allowed range or without prefixes is rejected")
    func outsideAndEmpty() {
        let outside = #expect(throws: IPAMError.self) { try Self.pools(["blue": ["198.18.64.0/24", "192.0.2.0/24"]]) }
        #expect(outside?.description == "pool blue prefix 192.0.2.0/24 is outside the allowed range 198.18.0.0/15")
        let empty = #expect(throws: IPAMError.self) { try Self.pools(["blue": ["198.18.64.0/24"], "green": []]) }
        #expect(empty?.description == "pool green has no prefixes")
    }

    @Test("the same requests give the same addresses, whatever order the pools were declared in")
    func determinism() throws {
        func plan(_ declared: [(String, [String])]) throws -> MultiPool {
            var pools = try Self.pools(Dictionary(uniqueKeysWithValues: declared))
            for index in 0..<30 { _ = try pools.allocatePod("pod-\(index)", pool: index.isMultiple(of: 2) ? "blue" : "green") }
            for index in stride(from: 0, to: 30, by: 4) { try pools.releasePod("pod-\(index)", pool: "blue") }
            for index in 30..<34 { _ = try pools.allocatePod("pod-\(index)", pool: "blue") }
            return pools
        }
        let first = try plan([("blue", ["198.18.64.0/27"]), ("green", ["198.18.65.0/27"])])
        #expect(try plan([("green", ["198.18.65.0/27"]), ("blue", ["198.18.64.0/27"])]) == first)
        #expect(first.pools["blue"]?.pods["pod-33"]?.description == "198.18.64.6")
    }
}
