import LabNetwork

extension TopologySpec {
    /// Everything wrong with this spec, in declaration order; empty when it can be planned and built.
    /// Checked here, on the model, so presets and scenario files obey the same rules.
    public func problems() -> [TopologyProblem] {
        var problems = nodeProblems()
        problems += linkProblems()
        // Graph checks need every link end to name a node.
        guard !problems.contains(where: { if case .linkEnd = $0.subject { return true }; return false }) else { return problems }
        let graph = TopologyGraph(self)
        problems += interfaceNameProblems(graph)
        problems += statedRoutingProblems(graph)
        guard let client = nodes.firstIndex(where: { $0.role == .client }),
              let server = nodes.firstIndex(where: { $0.role == .server }) else { return problems }
        let connected = graph.reachable(from: client)
        let stranded = nodes.indices.filter { !connected.contains($0) }.map { "'\(nodes[$0].name)'" }
        if !stranded.isEmpty {
            problems.append(TopologyProblem(.topology, "the topology is not connected: no path from the client to \(stranded.joined(separator: ", "))"))
            return problems
        }
        problems += attachmentProblems(graph, client: client, server: server)
        problems += clientAddressProblems(graph, client: client, server: server)
        return problems
    }

    /// Probes, generated rules and workloads use AddressPlan.client as a source in every topology, so
    /// the client's link toward the server must give the client exactly that address.
    private func clientAddressProblems(_ graph: TopologyGraph, client: Int, server: Int) -> [TopologyProblem] {
        let (ends, addressProblems) = LinkAddressing.resolve(links)
        guard addressProblems.isEmpty, let link = graph.nextLinks(toward: [server])[client], let resolved = ends[link] else { return [] }
        let mine = nodeIndex(links[link].a) == client ? resolved.a : resolved.b
        guard mine.address != AddressPlan.client else { return [] }
        return [TopologyProblem(.node(client), "the client's address toward the server must be \(AddressPlan.client) (probes and workloads use it), got \(mine): list the client's link first with the client as 'a', or give it \(AddressPlan.client)/30")]
    }

    /// Stated routes must leave through a link the node has; rules, sysctls and pods must name nodes;
    /// a pod's address must be one its node owns.
    private func statedRoutingProblems(_ graph: TopologyGraph) -> [TopologyProblem] {
        var problems: [TopologyProblem] = []
        func known(_ name: String, _ what: String) -> Int? {
            if let index = nodeIndex(name) { return index }
            problems.append(TopologyProblem(.topology, "\(what) names unknown node '\(name)'"))
            return nil
        }
        for route in routes {
            guard let node = known(route.node, "route to \(route.destination)"), let via = known(route.via, "route to \(route.destination)") else { continue }
            if !graph.adjacency[node].contains(where: { $0.neighbour == via }) {
                problems.append(TopologyProblem(.topology, "route to \(route.destination) on '\(route.node)' via '\(route.via)': the two are not linked"))
            }
        }
        for rule in policyRules { _ = known(rule.node, "rule from \(rule.source)") }
        for sysctl in sysctls { _ = known(sysctl.node, "sysctl \(sysctl.key)") }
        for pod in pods {
            guard let node = known(pod.node, "pod \(pod.name)") else { continue }
            if !nodes[node].ownedPrefixes.contains(where: { $0.contains(pod.address) }) {
                problems.append(TopologyProblem(.topology, "pod \(pod.name)'s address \(pod.address) is not in a prefix node '\(pod.node)' owns"))
            }
        }
        return problems
    }

    private func nodeProblems() -> [TopologyProblem] {
        var problems: [TopologyProblem] = []
        if nodes.count > Self.maximumNodes {
            problems.append(TopologyProblem(.topology, "a topology has at most \(Self.maximumNodes) nodes, this one has \(nodes.count)"))
        }
        var seen: Set<String> = []
        for (index, node) in nodes.enumerated() {
            let name = node.name
            if !(name.first.map { $0.isASCII && $0.isLowercase } ?? false)
                || !name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber) }) {
                problems.append(TopologyProblem(.node(index), "node name '\(name)' must be lowercase letters and digits, starting with a letter"))
            } else if !seen.insert(name).inserted {
                problems.append(TopologyProblem(.node(index), "node '\(name)' is declared twice"))
            }
        }
        for role in [NodeRole.client, .server] {
            let holders = nodes.indices.filter { nodes[$0].role == role }
            if holders.isEmpty {
                problems.append(TopologyProblem(.topology, "no node has role \(role): a topology needs exactly one client and one server"))
            }
            for extra in holders.dropFirst() {
                problems.append(TopologyProblem(.node(extra), "node '\(nodes[extra].name)' is a second \(role) (the first is '\(nodes[holders[0]].name)'): a topology has exactly one"))
            }
        }
        return problems
    }

    private func linkProblems() -> [TopologyProblem] {
        var problems: [TopologyProblem] = []
        let names = nodes.map(\.name).joined(separator: ", ")
        var pairs: [Set<String>: Int] = [:]
        for (index, link) in links.enumerated() {
            var known = true
            for (end, name) in [(TopologyProblem.LinkEnd.a, link.a), (.b, link.b)] where nodeIndex(name) == nil {
                problems.append(TopologyProblem(.linkEnd(index, end), "unknown node '\(name)' (nodes: \(names))"))
                known = false
            }
            guard known else { continue }
            if link.a == link.b {
                problems.append(TopologyProblem(.link(index), "a link from '\(link.a)' to itself"))
            } else if let first = pairs[[link.a, link.b]] {
                problems.append(TopologyProblem(.link(index), "'\(link.a)' and '\(link.b)' are already linked (link \(first + 1))"))
            } else {
                pairs[[link.a, link.b]] = index
            }
        }
        problems += LinkAddressing.resolve(links).problems
        return problems
    }

    /// `bl` + 6-character id + stem + index must fit IFNAMSIZ - 1 = 15 characters.
    private func interfaceNameProblems(_ graph: TopologyGraph) -> [TopologyProblem] {
        nodes.indices.compactMap { index in
            let node = nodes[index]
            let lastIndex = max(graph.degree(index) - 1, 0)
            let longest = LabNames.prefix + "xxxxxx" + node.interfaceStem + String(lastIndex)
            guard longest.utf8.count > LabNames.interfaceNameLimit else { return nil }
            return TopologyProblem(.node(index), "node name '\(node.name)' is too long for its interface names (bl<id>\(node.interfaceStem)\(lastIndex) would exceed \(LabNames.interfaceNameLimit) characters): use at most \(LabNames.interfaceNameLimit - 8 - String(lastIndex).count) characters")
        }
    }

    private func attachmentProblems(_ graph: TopologyGraph, client: Int, server: Int) -> [TopologyProblem] {
        var problems: [TopologyProblem] = []
        var seen: Set<String> = []
        let path = graph.path(from: client, to: server, links: links, nodeIndex: nodeIndex)
        for (index, attachment) in attachments.enumerated() {
            if !seen.insert(attachment.name).inserted {
                problems.append(TopologyProblem(.attachment(index), "attachment point '\(attachment.name)' is declared twice"))
                continue
            }
            guard let node = nodeIndex(attachment.node) else {
                problems.append(TopologyProblem(.attachment(index), "attachment point '\(attachment.name)': unknown node '\(attachment.node)'"))
                continue
            }
            guard let facing = nodeIndex(attachment.facing) else {
                problems.append(TopologyProblem(.attachment(index), "attachment point '\(attachment.name)': unknown node '\(attachment.facing)'"))
                continue
            }
            guard graph.adjacency[node].contains(where: { $0.neighbour == facing }) else {
                problems.append(TopologyProblem(.attachment(index), "attachment point '\(attachment.name)': '\(attachment.node)' has no link to '\(attachment.facing)'"))
                continue
            }
            guard attachment.name == Self.policyAttachment else { continue }
            let route = path.map { nodes[$0].name }.joined(separator: " → ")
            if attachment.direction != .ingress {
                problems.append(TopologyProblem(.attachment(index), "attachment point 'policy' must be ingress: backends filter what arrives on an interface"))
            } else if let position = path.firstIndex(of: node), position > 0, path[position - 1] == facing {
                continue
            } else {
                problems.append(TopologyProblem(.attachment(index), "attachment point 'policy' at '\(attachment.node)' facing '\(attachment.facing)' is not on the client → server path (\(route)), so it would never see the traffic"))
            }
        }
        return problems
    }
}
