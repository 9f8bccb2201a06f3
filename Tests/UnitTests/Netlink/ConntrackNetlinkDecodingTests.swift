import LabConntrack
import LabNetlink
import LabNetwork
import LabSystem
import Testing

/// LabNetlink's decoders on real ctnetlink messages captured on this machine, and on what a broken
/// socket or a bad file could hand them: each malformation is one clear error, never a partial result.
@Suite("ctnetlink decoding")
struct ConntrackNetlinkDecodingTests {
    static func address(_ text: String) -> IPv4Address { IPv4Address(text)! }

    @Test("the table count reply gives the entries and nf_conntrack_max")
    func tableCount() throws {
        let count = try ConntrackStatsDecoder.tableCount(try ConntrackNetlinkFixtures.bytes("ct-stats-count.bin"))
        #expect(count == ConntrackTableCount(entries: 3, maxEntries: 262_144))
    }

    @Test("the per-CPU dump gives every counter of every CPU, and sums them")
    func perCPU() throws {
        let cpus = try ConntrackStatsDecoder.perCPU(try ConntrackNetlinkFixtures.bytes("ct-stats-cpu.bin"))
        #expect(cpus.map(\.cpu) == [0, 1])
        #expect(cpus.allSatisfy { Set($0.counters.keys) == Set(ConntrackStatistic.names) })
        #expect(cpus[0].counters["insert"] == 2)
        #expect(cpus[1].counters["insert"] == 1)
        let sum = ConntrackCPUStatistics.sum(cpus)
        #expect(sum["insert"] == 3)
        #expect(sum.filter { $0.key != "insert" }.values.allSatisfy { $0 == 0 })
    }

    @Test("absent counters read as zero")
    func absentCountersAreZero() throws {
        // The CPU 0 message without CTA_STATS_INSERT (8) and CTA_STATS_CHAIN_TOOLONG (15), as an older kernel sends it.
        let messages = ConntrackNetlinkFixtures.messages(try ConntrackNetlinkFixtures.bytes("ct-stats-cpu.bin"))
        let older = ConntrackNetlinkFixtures.removingAttribute(15, from: ConntrackNetlinkFixtures.removingAttribute(8, from: messages[0]))
        let cpus = try ConntrackStatsDecoder.perCPU(older + messages[2])
        #expect(cpus.count == 1)
        #expect(cpus[0].counters["insert"] == 0)
        #expect(cpus[0].counters["chaintoolong"] == 0)
        #expect(cpus[0].counters.count == ConntrackStatistic.names.count)
    }

    @Test("destroy events decode to the original tuple and the kernel's stop time")
    func destroyEvents() throws {
        let events = try ConntrackEventDecoder.destroyEvents(try ConntrackNetlinkFixtures.bytes("ct-destroy-events.bin"))
        #expect(events == [
            ConntrackDestroyEvent(flow: TrackedFlow(proto: 6, source: Self.address("198.18.0.5"), destination: Self.address("198.18.1.9"),
                                                    sourcePort: 40000, destinationPort: 443),
                                  stopRealtimeNanoseconds: 0x18ec_e476_f262_3a5e),
            ConntrackDestroyEvent(flow: TrackedFlow(proto: 1, source: Self.address("198.18.0.7"), destination: Self.address("198.18.1.1"),
                                                    sourcePort: 77, destinationPort: 0),
                                  stopRealtimeNanoseconds: 0x18ec_e476_f262_bfb1),
            ConntrackDestroyEvent(flow: TrackedFlow(proto: 17, source: Self.address("198.18.0.1"), destination: Self.address("198.18.0.2"),
                                                    sourcePort: 4242, destinationPort: 53),
                                  stopRealtimeNanoseconds: 0x18ec_e476_f263_4f07),
        ])
    }

    @Test("an event without CTA_TIMESTAMP has no stop time")
    func eventWithoutTimestamp() throws {
        let messages = ConntrackNetlinkFixtures.messages(try ConntrackNetlinkFixtures.bytes("ct-destroy-events.bin"))
        let events = try ConntrackEventDecoder.destroyEvents(ConntrackNetlinkFixtures.removingAttribute(20, from: messages[2]))
        #expect(events.count == 1)
        #expect(events[0].flow.sourcePort == 4242)
        #expect(events[0].stopRealtimeNanoseconds == nil)
    }

    @Test("truncated input is refused with the reason", arguments: ["ct-stats-count.bin", "ct-stats-cpu.bin", "ct-destroy-events.bin"])
    func truncated(_ name: String) throws {
        let bytes = try ConntrackNetlinkFixtures.bytes(name)
        for cut in [1, 7, 19, bytes.count / 2] {
            let error = #expect(throws: NetlinkDecodeError.self) { try Self.decode(name, Array(bytes.dropLast(cut))) }
            #expect(error?.description.contains("truncated") == true || error?.description.contains("shorter than") == true,
                    "\(name) cut by \(cut): \(error?.description ?? "-")")
        }
        #expect(throws: NetlinkDecodeError.self) { try Self.decode(name, []) }
    }

    @Test("garbage is refused", arguments: ["ct-stats-count.bin", "ct-stats-cpu.bin", "ct-destroy-events.bin"])
    func garbage(_ name: String) throws {
        var random = SplitMix64(seed: 8)
        for length in [3, 16, 64, 300] {
            let noise = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            #expect(throws: NetlinkDecodeError.self) { try Self.decode(name, noise) }
        }
    }

    @Test("an attribute longer than its message is an error, not a shorter result")
    func overrunningAttribute() throws {
        var bytes = try ConntrackNetlinkFixtures.bytes("ct-stats-count.bin")
        bytes[20] = 200 // the first attribute's nla_len
        let error = #expect(throws: NetlinkDecodeError.self) { try ConntrackStatsDecoder.tableCount(bytes) }
        #expect(error?.description.contains("garbled attribute") == true)
    }

    @Test("a dump without NLMSG_DONE is incomplete")
    func dumpWithoutDone() throws {
        let messages = ConntrackNetlinkFixtures.messages(try ConntrackNetlinkFixtures.bytes("ct-stats-cpu.bin"))
        let error = #expect(throws: NetlinkDecodeError.self) { try ConntrackStatsDecoder.perCPU(Array(messages[0..<2].joined())) }
        #expect(error?.description.contains("NLMSG_DONE") == true)
    }

    @Test("a message of another type is refused")
    func wrongType() throws {
        let count = try ConntrackNetlinkFixtures.bytes("ct-stats-count.bin")
        #expect(throws: NetlinkDecodeError.self) { try ConntrackStatsDecoder.perCPU(count) }
        #expect(throws: NetlinkDecodeError.self) { try ConntrackEventDecoder.destroyEvents(count) }
        #expect(throws: NetlinkDecodeError.self) { try ConntrackStatsDecoder.tableCount(try ConntrackNetlinkFixtures.bytes("ct-destroy-events.bin")) }
    }

    @Test("a netlink error reply surfaces the kernel's errno")
    func kernelError() throws {
        // nlmsghdr (36 bytes, NLMSG_ERROR) + nlmsgerr { error = -EPERM, the request's header }.
        var bytes: [UInt8] = []
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        append(UInt32(36)); append(UInt16(2)); append(UInt16(0)); append(UInt32(1)); append(UInt32(0))
        append(Int32(-1))
        append(UInt32(20)); append(UInt16(0x105)); append(UInt16(1)); append(UInt32(1)); append(UInt32(0))
        let error = #expect(throws: SystemCallError.self) { try ConntrackStatsDecoder.tableCount(bytes) }
        #expect(error?.errno == 1)
    }

    @Test("kernel stop times convert to monotonic time by the offset measured at open")
    func clockOffset() {
        let offset = ClockOffset(realtimeMinusMonotonicNanoseconds: 1_700_000_000_000_000_000)
        #expect(offset.monotonic(fromRealtime: 1_700_000_005_000_000_000) == 5_000_000_000)
        #expect(offset.monotonic(fromRealtime: 5) == 0)
        let measured = ClockOffset.measure()
        let now = MonotonicClock.nanoseconds()
        // The conversion is exact: a wall-clock stamp made from a monotonic time converts back to it.
        let back = measured.monotonic(fromRealtime: UInt64(Int64(now) + measured.realtimeMinusMonotonicNanoseconds))
        #expect(back == now)
    }

    static func decode(_ name: String, _ bytes: [UInt8]) throws {
        switch name {
        case "ct-stats-count.bin": _ = try ConntrackStatsDecoder.tableCount(bytes)
        case "ct-stats-cpu.bin": _ = try ConntrackStatsDecoder.perCPU(bytes)
        default: _ = try ConntrackEventDecoder.destroyEvents(bytes)
        }
    }
}
