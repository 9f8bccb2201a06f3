import LabNetwork

/// The addresses of every link end: the ones given, and a /30 of the infrastructure range for each
/// link given none — in link order, the lowest /30 that overlaps neither the service range nor a
/// subnet already taken. So the presets' client link is 198.18.0.0/30 and the routed server link
/// 198.18.0.4/30, as the address plan documents.
enum LinkAddressing {
    struct Ends: Sendable, Equatable {
        var a: InterfaceAddress
        var b: InterfaceAddress
        var subnet: IPv4Prefix { a.subnet }
    }

    /// One entry per link (nil where the link's own addresses are wrong), and the problems found.
    static func resolve(_ links: [TopologySpec.Link]) -> (ends: [Ends?], problems: [TopologyProblem]) {
        var problems: [TopologyProblem] = []
        var ends = [Ends?](repeating: nil, count: links.count)
        // Given subnets first: allocation must step around them wherever they are in the list.
        for (index, link) in links.enumerated() {
            switch (link.aAddress, link.bAddress) {
            case (nil, nil):
                continue
            case (let a?, let b?):
                var valid = true
                for (end, address) in [(TopologyProblem.LinkEnd.a, a), (.b, b)] {
                    if let message = check(address) {
                        problems.append(TopologyProblem(.linkAddress(index, end), message))
                        valid = false
                    }
                }
                guard valid else { continue }
                if a.subnet != b.subnet {
                    problems.append(TopologyProblem(.linkAddress(index, .b), "\(b) is not in the same subnet as the other end's \(a)"))
                } else if a.address == b.address {
                    problems.append(TopologyProblem(.linkAddress(index, .b), "both ends of the link have address \(a.address)"))
                } else if let (other, taken) = ends.enumerated().lazy.compactMap({ i, e in e.map { (i, $0.subnet) } })
                    .first(where: { $0.1.contains(a.subnet) || a.subnet.contains($0.1) }) {
                    problems.append(TopologyProblem(.link(index), "subnet \(a.subnet) overlaps \(taken) of link \(other + 1)"))
                } else {
                    ends[index] = Ends(a: a, b: b)
                }
            default:
                problems.append(TopologyProblem(.link(index), "give addresses for both ends of a link, or for neither"))
            }
        }
        var candidate = AddressPlan.infrastructure.first.value
        for (index, link) in links.enumerated() where link.aAddress == nil && link.bAddress == nil {
            var allocated: Ends?
            while AddressPlan.infrastructure.contains(IPv4Address(candidate)) {
                let subnet = IPv4Prefix(address: IPv4Address(candidate), length: 30)!
                candidate += 4
                let taken = ends.compactMap { $0?.subnet } + [AddressPlan.serviceRange]
                if taken.contains(where: { $0.contains(subnet) || subnet.contains($0) }) { continue }
                allocated = Ends(a: InterfaceAddress(address: IPv4Address(subnet.address.value + 1), length: 30),
                                 b: InterfaceAddress(address: IPv4Address(subnet.address.value + 2), length: 30))
                break
            }
            guard let allocated else {
                problems.append(TopologyProblem(.link(index), "no free /30 left in \(AddressPlan.infrastructure) for this link"))
                continue
            }
            ends[index] = allocated
        }
        return (ends, problems)
    }

    /// Why `address` cannot be a link end's address, or nil when it can.
    private static func check(_ address: InterfaceAddress) -> String? {
        let infrastructure = AddressPlan.infrastructure
        guard infrastructure.contains(address.subnet) else {
            return "\(address) is outside the infrastructure range \(infrastructure) (the rest of 198.18.0.0/15 is the client pool)"
        }
        guard !address.subnet.contains(AddressPlan.serviceRange), !AddressPlan.serviceRange.contains(address.subnet) else {
            return "\(address) overlaps the service range \(AddressPlan.serviceRange)"
        }
        guard address.isHostAddress else {
            return "\(address) is not a host address of \(address.subnet)"
        }
        return nil
    }
}
