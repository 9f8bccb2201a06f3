import Foundation
import Testing

/// Package.swift declares exactly what each module imports (issue 7): a dependency nobody imports
/// is a layering claim nobody keeps, and an import nobody declared works only by accident of the
/// build order. Read from the sources, so adding an import without declaring it fails here.
@Suite("Module graph")
struct ModuleGraphTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    /// Toolchain modules and system-library shims that are not package targets.
    static let outside: Set<String> = ["Foundation", "Glibc", "Testing", "Dispatch", "Synchronization", "XCTest", "PackagePlugin"]
    /// Product name → what a target imports it as.
    static let products = ["Yams": "Yams", "ArgumentParser": "ArgumentParser", "Histogram": "Histogram"]

    static func declared() throws -> [String: Set<String>] {
        let text = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let target = try NSRegularExpression(pattern: #"\.(?:target|executableTarget|testTarget)\(name: "(\w+)"(?:, dependencies: \[(.*?)\])?"#,
                                             options: [.dotMatchesLineSeparators])
        var result: [String: Set<String>] = [:]
        for match in target.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            let name = String(text[Range(match.range(at: 1), in: text)!])
            var dependencies: Set<String> = []
            if let range = Range(match.range(at: 2), in: text) {
                let list = String(text[range])
                let quoted = try NSRegularExpression(pattern: #"(?:product\(name: )?"(\w+)""#)
                for item in quoted.matches(in: list, range: NSRange(list.startIndex..., in: list)) {
                    let token = String(list[Range(item.range(at: 0), in: list)!])
                    let value = String(list[Range(item.range(at: 1), in: list)!])
                    // `package: "Yams"` names a package, not a dependency.
                    if token.hasPrefix("product") || !list.contains("package: \"\(value)\"") || products[value] != nil {
                        dependencies.insert(value)
                    }
                }
            }
            result[name] = dependencies
        }
        return result
    }

    static func imports(of directory: URL) -> Set<String> {
        var modules: Set<String> = []
        let files = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" } ?? []
        for file in files {
            guard let text = try? String(contentsOf: file, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") {
                let words = line.split(separator: " ")
                if let index = words.firstIndex(of: "import"), index == words.startIndex || words[words.startIndex] == "@testable",
                   index + 1 < words.endIndex {
                    modules.insert(String(words[index + 1]))
                }
            }
        }
        return modules.subtracting(outside)
    }

    @Test("every module's imports are its declared dependencies, no more and no fewer")
    func importsMatchDeclarations() throws {
        let declared = try Self.declared()
        #expect(declared.count > 10, "Package.swift was not read: \(declared.keys.sorted())")
        for (target, dependencies) in declared {
            let directory = ["UnitTests", "IntegrationTests", "LabTestSupport"].contains(target)
                ? Self.root.appendingPathComponent("Tests/\(target)") : Self.root.appendingPathComponent("Sources/\(target)")
            guard FileManager.default.fileExists(atPath: directory.path) else { continue }
            let used = Self.imports(of: directory)
            #expect(used.subtracting(dependencies).isEmpty, "\(target) imports undeclared \(used.subtracting(dependencies).sorted())")
            #expect(dependencies.subtracting(used).isEmpty, "\(target) declares unused \(dependencies.subtracting(used).sorted())")
        }
    }
}
