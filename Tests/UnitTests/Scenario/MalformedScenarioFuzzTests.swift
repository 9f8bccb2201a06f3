import Foundation
import LabSystem
import LabTestSupport
import Testing

extension ScenarioTests {
    /// Generated malformed scenarios of every kind in issue 13, validated by the built binary as a
    /// user would: each must exit 2 with a first line `file:line:column: message` of reasonable
    /// length. Times are printed (a benchmark, not an assertion); the bound is only a hang guard.
    @Suite("Generated malformed scenarios")
    struct MalformedScenarioFuzz {
        static let seeds: [UInt64] = [1, 2, 3]
        /// Far above any expected time (debug build, shared cores): it catches hangs, not slowness.
        static let hangGuardSeconds = 10.0

        @Test("every generated file exits 2 with a file:line:column first line",
              arguments: MalformedScenarioGenerator.Kind.allCases)
        func generated(kind: MalformedScenarioGenerator.Kind) throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("benchlab-fuzz-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            for seed in Self.seeds {
                var generator = MalformedScenarioGenerator(seed: seed &* 7919 &+ UInt64(kind.rawValue.count))
                let file = directory.appendingPathComponent("\(kind.rawValue)-\(seed).yaml").path
                let data = generator.file(kind)
                try data.write(to: URL(fileURLWithPath: file))
                let result = try Subprocess.run(Command(TestEnvironment.benchlabBinary, ["validate", file]), timeout: 60)
                let first = result.stderr.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
                print("fuzz \(kind.rawValue) seed \(seed): \(data.count) bytes, \(String(format: "%.3f", result.elapsedSeconds)) s: \(first.prefix(160))")
                #expect(result.status == ExitStatus.badInput.rawValue, "\(kind) seed \(seed): \(result.stderr.prefix(300))")
                #expect(first.range(of: #"^\#(NSRegularExpression.escapedPattern(for: file)):[0-9]+:[0-9]+: \S"#,
                                    options: .regularExpression) != nil, "\(kind) seed \(seed): \(first.prefix(300))")
                // Bounded: a 60-character excerpt of the value plus, at most, the list of every backend
                // name (17 since the drop-point rungs, ~260 characters) — never the megabyte itself.
                #expect(first.count < 480, "\(kind) seed \(seed): the first line is \(first.count) characters")
                #expect(!first.contains("yaml_"), "a C function of the YAML library is named: \(first)")
                #expect(result.elapsedSeconds < Self.hangGuardSeconds, "\(kind) seed \(seed) took \(result.elapsedSeconds) s")
            }
        }
    }
}
