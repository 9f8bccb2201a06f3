import LabBackends
import LabPolicy
@testable import LabRunner
import LabTopology
import Testing

@Suite("benchlab up description")
struct LabSessionDescriptionTests {
    @Test("a gateway lab lists its pods per node and each gateway's egress IP, and hints a connect from a pod")
    func gatewayLab() throws {
        let preset = try TopologyPreset.gateway(GatewayParameters(nodes: 2, podsPerNode: 4, gateways: 2))
        let session = LabSession(id: "aaaaaa", topology: TopologyPlan(preset: preset, id: "aaaaaa").topology, backend: .none,
                                 policy: Policy(rules: [], defaultAction: .allow), artifactPath: nil)
        let text = session.describe()
        #expect(text.contains("pods of n1: 4 in 198.18.64.0/24 (198.18.64.2 … 198.18.64.5)"))
        #expect(text.contains("gateway gw2: egress IP 198.18.5.1 on blaaaaaagw2-2"))
        #expect(text.contains("nc -z -w1 -s 198.18.64.2 198.18.1.1"))
        #expect(!text.contains("client sources"))
    }
}
