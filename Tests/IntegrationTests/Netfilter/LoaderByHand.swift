import Foundation
import LabBackends
import LabSystem
import LabTestSupport
import LabTopology

/// The reference an install time is held against: the same loads, run the way an operator would at
/// a shell — `time ip netns exec NS iptables-restore -w --noflush < file` — and timed by bash itself.
enum LoaderByHand {
    /// Seconds → milliseconds, summed over the loads (they run one after the other, as install does).
    static func run(_ loads: [BulkLoad], in namespace: String) throws -> Double {
        let directory = try TestEnvironment.temporaryDirectory("byhand")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var total = 0.0
        for (index, load) in loads.enumerated() {
            let file = "\(directory)/load-\(index)"
            try load.input.write(toFile: file, atomically: true, encoding: .utf8)
            let line = (["ip", "netns", "exec", namespace, load.tool] + load.arguments).joined(separator: " ")
            let result = try Subprocess.run(Command("bash", ["-c", "TIMEFORMAT=%3R; time \(line) < \(file)"]), timeout: 600)
                .requireSuccess("\(load.tool) by hand")
            guard let seconds = result.stderr.split(whereSeparator: \.isNewline).last.flatMap({ Double($0) }) else {
                throw LabFailure("bash printed no time for \(line): \(result.stderr)")
            }
            total += seconds * 1000
        }
        return total
    }

    /// What `install` runs for a netfilter backend, whichever it is.
    static func installLoads(_ backend: any NetfilterBackend, _ artifact: BackendArtifact, at point: FilterPoint) throws -> [BulkLoad] {
        try backend.installLoads(artifact, at: point)
    }
}
