extension TopologyPreset {
    /// client ⇄ dut ⇄ server: the dut forwards between two veth pairs (198.18.0.0/30: client .1,
    /// dut .2; 198.18.0.4/30: dut .5, server .6). The policy sits on the dut's interface facing the
    /// client, in FORWARD.
    public static let routed = TopologyPreset(name: "routed", spec: TopologySpec(
        nodes: [
            .init(name: "cli", role: .client, interfaceStem: "-c"),
            .init(name: "dut", role: .dut, interfaceStem: "-d"),
            .init(name: "srv", role: .server, interfaceStem: "-s"),
        ],
        links: [.init("cli", "dut"), .init("dut", "srv")],
        attachments: [.init(name: TopologySpec.policyAttachment, node: "dut", facing: "cli")]
    ))
}
