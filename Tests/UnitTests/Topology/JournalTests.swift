import Foundation
import LabSystem
import LabTestSupport
import LabTopology
import Testing

@Suite("Journal")
struct JournalTests {
    @Test("rollback undoes steps newest first and forgets them")
    func rollbackOrder() throws {
        let root = try TestEnvironment.temporaryDirectory("journal")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let journal = try Journal.create(id: "j1", command: "test", root: root)
        let a = "\(root)/a", b = "\(root)/b/c"
        try journal.record(.removePath(a))
        #expect(FileManager.default.createFile(atPath: a, contents: nil))
        let mark = journal.mark
        try journal.record(.removePath("\(root)/b"))
        try FileManager.default.createDirectory(atPath: b, withIntermediateDirectories: true)
        #expect(journal.rollback(to: mark).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: "\(root)/b"))
        #expect(FileManager.default.fileExists(atPath: a))
        #expect(journal.pendingSteps == [.removePath(a)])
        #expect(journal.close().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: a))
        #expect(!FileManager.default.fileExists(atPath: "\(root)/j1"))
    }

    @Test("a journal reopened after a crash replays what was recorded, skipping a torn last line")
    func reopenAfterCrash() throws {
        let root = try TestEnvironment.temporaryDirectory("journal")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let journal = try Journal.create(id: "j2", command: "test", root: root)
        try journal.record(.deleteNamespace("bl-zz-cli"))
        try journal.record(.releaseKnob("net.netfilter.nf_conntrack_max"))
        let handle = try #require(FileHandle(forWritingAtPath: "\(root)/j2/journal.jsonl"))
        handle.seekToEndOfFile()
        handle.write(Data("{\"deleteNames".utf8))
        try handle.close()
        let (reopened, owner) = try Journal.open(directory: "\(root)/j2")
        #expect(reopened.pendingSteps == [.deleteNamespace("bl-zz-cli"), .releaseKnob("net.netfilter.nf_conntrack_max")])
        #expect(owner?.process == ProcessIdentity.current)
        #expect(owner?.detached == false)
    }
}

@Suite("Knob ledger")
struct KnobLedgerTests {
    func makeLedger() throws -> (KnobLedger, String) {
        let root = try TestEnvironment.temporaryDirectory("knobs")
        try FileManager.default.createDirectory(atPath: "\(root)/sys/net/netfilter", withIntermediateDirectories: true)
        try "65536\n".write(toFile: "\(root)/sys/net/netfilter/nf_conntrack_max", atomically: true, encoding: .utf8)
        return (KnobLedger(directory: "\(root)/state", procSys: "\(root)/sys"), root)
    }

    @Test("the last holder restores the original value")
    func lastHolderRestores() throws {
        let (ledger, root) = try makeLedger()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let key = "net.netfilter.nf_conntrack_max"
        try ledger.acquire(key, value: "262144", holder: "run1")
        try ledger.acquire(key, value: "262144", holder: "run2")
        #expect(try ledger.read(key) == "262144")
        try ledger.release(key, holder: "run1")
        #expect(try ledger.read(key) == "262144")
        try ledger.release(key, holder: "run2")
        #expect(try ledger.read(key) == "65536")
        #expect(try ledger.entries().isEmpty)
    }

    @Test("a second run asking for another value is refused rather than silently overriding")
    func conflictingValue() throws {
        let (ledger, root) = try makeLedger()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try ledger.acquire("net.netfilter.nf_conntrack_max", value: "262144", holder: "run1")
        let error = #expect(throws: LabFailure.self) {
            try ledger.acquire("net.netfilter.nf_conntrack_max", value: "1024", holder: "run2")
        }
        #expect(error?.description == "net.netfilter.nf_conntrack_max is held at 262144 by run1; this run needs 1024")
    }

    @Test("clean releases dead holders and restores")
    func releaseDead() throws {
        let (ledger, root) = try makeLedger()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try ledger.acquire("net.netfilter.nf_conntrack_max", value: "262144", holder: "dead")
        #expect(try ledger.releaseAll(except: ["alive"]) == ["net.netfilter.nf_conntrack_max=65536"])
        #expect(try ledger.read("net.netfilter.nf_conntrack_max") == "65536")
    }
}
