extension TopologyPreset {
    /// client ⇄ server over one veth pair (198.18.0.0/30: client .1, server .2). The policy sits on
    /// the server's interface, in INPUT.
    public static let pair = TopologyPreset(name: "pair", spec: TopologySpec(
        nodes: [
            .init(name: "cli", role: .client, interfaceStem: "-c"),
            .init(name: "srv", role: .server, interfaceStem: "-s"),
        ],
        links: [.init("cli", "srv")],
        attachments: [.init(name: TopologySpec.policyAttachment, node: "srv", facing: "cli")]
    ))
}
