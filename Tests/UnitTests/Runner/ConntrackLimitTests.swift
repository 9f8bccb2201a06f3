import Foundation
import LabSystem
import LabTestSupport
import LabTopology
import Testing
@testable import LabRunner

/// The nf_conntrack_max a case holds, on a scratch /proc/sys: raised for the run, lowered for a
/// phase but never below the host's count plus the margin, journaled once, and restored.
@Suite("Conntrack limit")
struct ConntrackLimitTests {
    func make(max: Int, hostCount: Int) throws -> (ConntrackLimit, Journal, KnobLedger, String) {
        let root = try TestEnvironment.temporaryDirectory("ctlimit")
        try FileManager.default.createDirectory(atPath: "\(root)/sys/net/netfilter", withIntermediateDirectories: true)
        try "\(max)\n".write(toFile: "\(root)/sys/net/netfilter/nf_conntrack_max", atomically: true, encoding: .utf8)
        try "\(hostCount)\n".write(toFile: "\(root)/sys/net/netfilter/nf_conntrack_count", atomically: true, encoding: .utf8)
        let journal = try Journal.create(id: "blrun-test", command: "test", root: "\(root)/state")
        let ledger = KnobLedger(directory: "\(root)/state", procSys: "\(root)/sys")
        var limit = ConntrackLimit(journal: journal)
        limit.ledger = ledger
        return (limit, journal, ledger, root)
    }

    @Test("a lower limit is raised for the case; a high enough one is left alone and nothing is journaled")
    func raise() throws {
        var (limit, journal, ledger, root) = try make(max: 262_144, hostCount: 10)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try limit.raise(toAtLeast: 100_000)
        #expect(try ledger.read(ConntrackLimit.key) == "262144")
        #expect(journal.pendingSteps.isEmpty)
        try limit.raise(toAtLeast: 524_288)
        #expect(try ledger.read(ConntrackLimit.key) == "524288")
        #expect(journal.pendingSteps == [.releaseKnob(ConntrackLimit.key)])
    }

    @Test("a phase lowers it, never below the host's count plus the margin, and nil goes back to the case's value")
    func lowerAndBack() throws {
        var (limit, journal, ledger, root) = try make(max: 262_144, hostCount: 10_000)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try limit.raise(toAtLeast: 524_288)
        #expect(try limit.set(8192) == 10_000 + ConntrackLimit.hostMargin)
        #expect(try ledger.read(ConntrackLimit.key) == "\(10_000 + ConntrackLimit.hostMargin)")
        #expect(try limit.set(nil) == 524_288)
        #expect(try ledger.read(ConntrackLimit.key) == "524288")
        #expect(journal.pendingSteps.count == 1)
        try ledger.release(ConntrackLimit.key, holder: journal.id)
        #expect(try ledger.read(ConntrackLimit.key) == "262144")
    }

    @Test("a case that never raised it gets the original back after a phase")
    func originalBack() throws {
        let (limit, _, ledger, root) = try make(max: 262_144, hostCount: 0)
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try limit.set(8192) == 8192)
        #expect(try ledger.read(ConntrackLimit.key) == "8192")
        #expect(try limit.set(nil) == 262_144)
        #expect(try ledger.entries().isEmpty)
    }
}
