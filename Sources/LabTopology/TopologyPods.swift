import LabNetwork

extension Topology {
    /// The pods on the client node, in plan order: the sources a workload may use there (the node
    /// owns its pod CIDR by AnyIP; other nodes' pods are not local to it). Empty without pods.
    public var clientPodAddresses: [IPv4Address] {
        let name = node(role: .client)?.name
        return (addressPlan?.pods ?? []).filter { $0.node == name }.compactMap { IPv4Address($0.address) }
    }

    /// The client node's pod CIDRs (what it owns by AnyIP in place of the client pool). Empty without pods.
    public var clientPodCIDRs: [IPv4Prefix] {
        let name = node(role: .client)?.name
        return (addressPlan?.nodes ?? []).filter { $0.name == name }.compactMap { IPv4Prefix($0.podCIDR) }
    }

    /// Every node's pod CIDR: a source inside one of them seen outside the cluster left it untranslated.
    public var podCIDRs: [IPv4Prefix] { (addressPlan?.nodes ?? []).compactMap { IPv4Prefix($0.podCIDR) } }
}
