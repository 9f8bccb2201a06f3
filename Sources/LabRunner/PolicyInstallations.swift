import LabBackends
import LabConntrack
import LabPolicy
import LabSystem
import LabTopology

/// What one case installs: the policy at the topology's policy point, and for an SNAT policy a copy
/// at every gateway (`Topology.policyPoints`), each compiled for its own egress IP — the active
/// gateway first, the standby ones after it, as an egress-gateway controller programs them all ahead
/// of a failover. The first installation is the one the case's numbers describe (install time, gates,
/// counters); every gateway's translator is handed to the workloads.
struct PolicyInstallations {
    let all: [any Installation]

    var primary: any Installation { all[0] }
    var translators: [any AddressTranslator] { all.compactMap(\.translator) }

    /// Installs in point order; if one fails, those already installed are removed before the error
    /// goes on, so a half-programmed set of gateways never outlives the case.
    static func install(_ policy: Policy, with backend: any FilterBackend, in topology: Topology) throws -> PolicyInstallations {
        let targets = try Self.targets(policy, in: topology)
        var installed: [any Installation] = []
        do {
            for (point, copy) in targets {
                installed.append(try backend.install(try backend.compile(copy), policy: copy, at: point))
            }
        } catch {
            for installation in installed.reversed() { try? installation.remove() }
            throw error
        }
        return PolicyInstallations(all: installed)
    }

    /// (point, the policy as installed there). Pure, unit-tested.
    static func targets(_ policy: Policy, in topology: Topology) throws -> [(FilterPoint, Policy)] {
        guard let snat = policy.snat else { return [(topology.filterPoint, policy)] }
        return try topology.policyPoints.map { point in
            guard let egress = topology.egressAddress(of: point) else {
                throw LabFailure("snat: the policy point \(point.name) on \(point.node) forwards nowhere, so it has no egress IP")
            }
            var copy = policy
            copy.snat = snat.at(gateway: egress)
            return (point.filterPoint, copy)
        }
    }

    /// Removes every installation, the standby gateways first; the first error is thrown after all
    /// were tried.
    func remove() throws {
        var firstError: (any Error)?
        for installation in all.reversed() {
            do { try installation.remove() } catch { firstError = firstError ?? error }
        }
        if let firstError { throw firstError }
    }
}
