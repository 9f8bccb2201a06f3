import Foundation
import LabRunner
import LabSystem
import LabTestSupport
import LabTopology
import Testing

extension KernelTests {
    /// The throwaway namespace preflight and `check` probe the kernel in is a lab object like any
    /// other: journaled while it exists, so `clean` neither misses it after a crash nor sweeps it
    /// from under a live run.
    @Suite("Probe namespace")
    struct ProbeNamespaceTests {
        struct Thrown: Error {}

        @Test("it is journaled under a live owner while in use, and gone afterwards even when the probe throws")
        func journaledAndRemoved() throws {
            var seen: String?
            #expect(throws: Thrown.self) {
                try Preflight.withProbeNamespace(command: "test probe namespace") { namespace in
                    seen = namespace
                    #expect(Namespaces.exists(namespace))
                    let claimed = LabCleaner().journalDirectories().compactMap { try? Journal.open(directory: $0) }
                        .filter { $0.1?.process.isAlive == true }
                        .contains { journal, _ in journal.pendingSteps.contains(.deleteNamespace(namespace)) }
                    #expect(claimed, "no live journal claims \(namespace)")
                    #expect(!Leftovers.namespaces().contains(namespace))
                    throw Thrown()
                }
            }
            let namespace = try #require(seen)
            #expect(!Namespaces.exists(namespace))
            #expect(Leftovers.deadJournals().isEmpty, "left: \(Leftovers.deadJournals())")
        }
    }
}
