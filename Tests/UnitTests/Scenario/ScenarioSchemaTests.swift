import Foundation
import LabSystem
import Testing
@testable import LabScenario

extension ScenarioTests {
    /// scenarios/schema.json is what `benchlab schema` generates from the readers' own tables, and
    /// a real JSON Schema validator accepts every shipped scenario with it.
    @Suite("Scenario JSON Schema")
    struct ScenarioSchemaTests {
        static let committed = ScenarioFixtures.shippedDirectory.appendingPathComponent("schema.json")

        /// Python's `jsonschema` and `yaml` (scripts/setup installs them when missing).
        static let pythonValidatorAvailable: Bool = {
            let check = try? Subprocess.run(Command("python3", ["-c", "import jsonschema, yaml"]), timeout: 30)
            return check?.status == 0
        }()

        @Test("the committed schema is the generated one (regenerate: benchlab schema > scenarios/schema.json)")
        func committedSchemaIsGenerated() throws {
            let text = try String(contentsOf: Self.committed, encoding: .utf8)
            #expect(text == ScenarioSchema.json())
        }

        @Test("the schema's keys are the readers' keys")
        func keysComeFromTheReaders() throws {
            let schema = try #require(JSONSerialization.jsonObject(with: Data(ScenarioSchema.json().utf8)) as? [String: Any])
            let properties = try #require(schema["properties"] as? [String: Any])
            #expect(Set(properties.keys) == Set(ScenarioReading.keys))
            let policy = try #require((properties["policy"] as? [String: Any])?["anyOf"] as? [[String: Any]] ?? [properties["policy"] as? [String: Any] ?? [:]])
            let policyKeys = policy.compactMap { ($0["properties"] as? [String: Any]).map { Set($0.keys) } }.first
            #expect(policyKeys == Set(PolicyReader.keys))
        }

        @Test("ScenarioLibrary lists YAML files only, so schema.json is not a scenario")
        func libraryIgnoresTheSchema() {
            let names = ScenarioLibrary(directory: ScenarioFixtures.shippedDirectory.path).names()
            #expect(!names.isEmpty)
            #expect(!names.contains { $0.hasPrefix("schema") })
        }

        static let validatorScript = """
            json, sys, yaml, jsonschema = map(__import__, ["json", "sys", "yaml", "jsonschema"])
            schema = json.load(open(sys.argv[1]))
            jsonschema.Draft7Validator.check_schema(schema)
            validator = jsonschema.Draft7Validator(schema)
            failed = 0
            for path in sys.argv[2:]:
                errors = list(validator.iter_errors(yaml.safe_load(open(path))))
                for error in errors[:3]:
                    print(f"{path}: {list(error.path)}: {error.message[:200]}")
                failed += bool(errors)
            sys.exit(1 if failed else 0)
            """

        func validate(_ files: [String]) throws -> CommandResult {
            try Subprocess.run(Command("python3", ["-c", Self.validatorScript, Self.committed.path] + files), timeout: 60)
        }

        @Test("every shipped scenario passes the schema (Python jsonschema, Draft 7)",
              .enabled(if: pythonValidatorAvailable, "python3 with jsonschema and yaml is missing: run scripts/setup"))
        func shippedScenariosPass() throws {
            let files = try FileManager.default.contentsOfDirectory(atPath: ScenarioFixtures.shippedDirectory.path)
                .filter { $0.hasSuffix(".yaml") }.sorted().map { ScenarioFixtures.shippedDirectory.appendingPathComponent($0).path }
            #expect(files.count >= 4)
            let result = try validate(files)
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        }

        /// The validator is real: a custom topology and a swept protocol pass, mistakes do not.
        @Test("the schema accepts custom topologies and placeholders, and refuses mistakes",
              .enabled(if: pythonValidatorAvailable, "python3 with jsonschema and yaml is missing: run scripts/setup"))
        func schemaAcceptsAndRefuses() throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("schema-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let good = """
                name: t
                description: A custom topology with a swept protocol.
                backends: [none, xdp]
                topology:
                  nodes: [{name: client, role: client}, {name: r1, role: router}, {name: server, role: server}]
                  links: [{a: client, b: r1}, {a: r1, b: server, a_address: 198.18.0.9/30, b_address: 198.18.0.10/30}]
                  attach:
                    policy: {node: r1, from: client}
                parameters:
                  p: [tcp, udp]
                policy:
                  rules: [{action: deny, proto: tcp, dport: 6000-6010}]
                workloads:
                  - {type: throughput, protocol: "${p}", duration: 2s, name: x}
                """
            let goodPath = directory.appendingPathComponent("good.yaml").path
            try good.write(toFile: goodPath, atomically: true, encoding: .utf8)
            _ = try ScenarioParser.parse(fileAt: goodPath)
            #expect(try validate([goodPath]).status == 0)
            for (index, mistake) in ["backends: [xpd]", "repeat: 0", "colour: red", "workloads: [{type: latency, streams: 2}]"].enumerated() {
                let path = directory.appendingPathComponent("bad-\(index).yaml").path
                let body = good.replacingOccurrences(of: mistake.hasPrefix("workloads") ? "workloads:\n  - {type: throughput, protocol: \"${p}\", duration: 2s, name: x}" : "backends: [none, xdp]",
                                                     with: mistake.hasPrefix("workloads") || mistake.hasPrefix("backends") ? mistake : "backends: [none, xdp]\n" + mistake)
                try body.write(toFile: path, atomically: true, encoding: .utf8)
                #expect(throws: ScenarioError.self, "the validator accepts '\(mistake)'") { try ScenarioParser.parse(fileAt: path) }
                #expect(try validate([path]).status != 0, "the schema accepts '\(mistake)'")
            }
        }
    }
}
