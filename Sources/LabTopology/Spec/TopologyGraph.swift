/// The nodes and links of a spec as a graph, for shortest-path routing. Built only from a spec whose
/// link ends all name existing nodes.
struct TopologyGraph {
    /// Per node, (link index, neighbour index) in link order: ties between equally short paths go to
    /// the earlier link, so routes are deterministic.
    let adjacency: [[(link: Int, neighbour: Int)]]

    init(_ spec: TopologySpec) {
        var adjacency = [[(link: Int, neighbour: Int)]](repeating: [], count: spec.nodes.count)
        for (index, link) in spec.links.enumerated() {
            guard let a = spec.nodeIndex(link.a), let b = spec.nodeIndex(link.b) else { continue }
            adjacency[a].append((index, b))
            adjacency[b].append((index, a))
        }
        self.adjacency = adjacency
    }

    func degree(_ node: Int) -> Int { adjacency[node].count }

    /// For every node, the link its traffic toward the nearest of `targets` leaves on (nil for the
    /// targets themselves and for nodes that cannot reach them). One breadth-first tree rooted at the
    /// targets, so every node's route agrees with its next hop's: no loops, shortest paths.
    func nextLinks(toward targets: [Int]) -> [Int?] {
        var next = [Int?](repeating: nil, count: adjacency.count)
        var seen = Set(targets)
        var queue = targets
        var head = 0
        while head < queue.count {
            let node = queue[head]
            head += 1
            for (link, neighbour) in adjacency[node] where !seen.contains(neighbour) {
                seen.insert(neighbour)
                next[neighbour] = link
                queue.append(neighbour)
            }
        }
        return next
    }

    /// Nodes reachable from `start` (including it).
    func reachable(from start: Int) -> Set<Int> {
        var seen: Set<Int> = [start]
        var stack = [start]
        while let node = stack.popLast() {
            for (_, neighbour) in adjacency[node] where seen.insert(neighbour).inserted { stack.append(neighbour) }
        }
        return seen
    }

    /// The nodes a packet visits from `start` to `target`, following the routes `nextLinks` makes.
    func path(from start: Int, to target: Int, links: [TopologySpec.Link], nodeIndex: (String) -> Int?) -> [Int] {
        let next = nextLinks(toward: [target])
        var path = [start]
        var node = start
        while node != target, let link = next[node] {
            let ends = (nodeIndex(links[link].a)!, nodeIndex(links[link].b)!)
            node = ends.0 == node ? ends.1 : ends.0
            path.append(node)
        }
        return path
    }
}
