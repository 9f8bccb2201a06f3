import LabRunner
import LabTopology
import LabTestSupport
import Testing

extension KernelTests {
    /// `benchlab check` probes each drop point's kernel feature by trying it in a throwaway namespace.
    @Suite("benchlab check probes the drop points")
    struct HostCheckTests {
        @Test("the raw table, xt_CT and netdev ingress are probed; a missing one says how to get it",
              .enabled(if: TestEnvironment.isRoot, "needs root"))
        func dropPointProbes() throws {
            let items = HostCheck.run()
            for name in ["iptables raw table", "iptables CT --notrack (xt_CT)", "nftables netdev ingress"] {
                let item = try #require(items.first { $0.name == name }, "no \(name) in \(items.map(\.name))")
                #expect(!item.detail.isEmpty)
                if !item.available { #expect(item.hint.contains("CONFIG_"), "\(name): \(item.hint)") }
            }
            // The probes ran in a namespace of their own, and it is gone.
            #expect(Namespaces.labNamespaces().allSatisfy { !$0.contains("-pf") }, "\(Namespaces.labNamespaces())")
        }
    }
}
