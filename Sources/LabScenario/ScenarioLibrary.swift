import Foundation
import LabSystem

/// The shipped scenarios (`scenarios/*.yaml`), and how `benchlab run <scenario>` finds a file.
public struct ScenarioLibrary: Sendable, Equatable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// Where the library may be. The defaults read the real process; tests pass their own.
    public struct SearchPaths: Sendable {
        /// `BENCHLAB_SCENARIOS`: when set it must name a directory, and nothing else is tried.
        public var environmentDirectory: String?
        public var currentDirectory: String
        /// The running binary (`/proc/self/exe`), e.g. `<checkout>/.build/debug/benchlab`.
        public var executablePath: String?

        public init(environmentDirectory: String?, currentDirectory: String, executablePath: String?) {
            self.environmentDirectory = environmentDirectory
            self.currentDirectory = currentDirectory
            self.executablePath = executablePath
        }

        public static var current: SearchPaths {
            SearchPaths(environmentDirectory: ProcessInfo.processInfo.environment["BENCHLAB_SCENARIOS"],
                        currentDirectory: FileManager.default.currentDirectoryPath,
                        executablePath: try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        }
    }

    /// The first of: `BENCHLAB_SCENARIOS`, `./scenarios`, or the nearest `scenarios/` folder above the
    /// executable — so a freshly built `.build/debug/benchlab` finds its checkout's scenarios from anywhere.
    public static func locate(_ search: SearchPaths = .current) throws -> ScenarioLibrary {
        if let explicit = search.environmentDirectory, !explicit.isEmpty {
            guard isDirectory(explicit) else { throw ScenarioLibraryError.environmentDirectoryMissing(explicit) }
            return ScenarioLibrary(directory: explicit)
        }
        var searched = [append("scenarios", to: search.currentDirectory)]
        if isDirectory(searched[0]) { return ScenarioLibrary(directory: searched[0]) }
        var directory = search.executablePath.map(parent)
        while let current = directory {
            let candidate = append("scenarios", to: current)
            if isDirectory(candidate) { return ScenarioLibrary(directory: candidate) }
            searched.append(candidate)
            directory = current == "/" ? nil : parent(current)
        }
        throw ScenarioLibraryError.directoryNotFound(searched: searched)
    }

    /// A `run` argument is a path when it has a `/` or a YAML extension; otherwise it is a name.
    public static func isPath(_ argument: String) -> Bool {
        argument.contains("/") || argument.hasSuffix(".yaml") || argument.hasSuffix(".yml")
    }

    /// The file a `run` argument means. Paths are taken as given (the library is not needed for them).
    public static func resolve(_ argument: String, search: SearchPaths = .current) throws -> String {
        if isPath(argument) { return argument }
        return try locate(search).path(forName: argument)
    }

    /// Scenario names: the `.yaml` files here, without the extension, sorted.
    public func names() -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return files.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(".yaml".count)) }.sorted()
    }

    public func path(forName name: String) throws -> String {
        let available = names()
        guard available.contains(name) else {
            throw ScenarioLibraryError.unknownScenario(name: name, available: available, directory: directory)
        }
        return path(of: name)
    }

    /// Every scenario here, sorted by name. A file that does not parse is listed with its problem.
    public func list() -> [Entry] {
        names().map { name in
            let path = path(of: name)
            do {
                let summary = try ScenarioParser.summary(fileAt: path)
                guard summary.name == name else {
                    return Entry(name: name, path: path, description: summary.description,
                                 problem: "the file is \(name).yaml but the scenario is named '\(summary.name)'; rename one of them")
                }
                return Entry(name: name, path: path, description: summary.description, problem: nil)
            } catch {
                return Entry(name: name, path: path, description: "", problem: "\(error)")
            }
        }
    }

    public struct Entry: Sendable, Equatable {
        /// What `benchlab run` takes: the file name without `.yaml`.
        public let name: String
        public let path: String
        /// The scenario's one-line description; empty when the file does not parse.
        public let description: String
        /// Why the scenario cannot run (its diagnostics, one per line); nil when it is valid.
        public let problem: String?
    }

    private func path(of name: String) -> String { Self.append("\(name).yaml", to: directory) }

    private static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    private static func append(_ component: String, to directory: String) -> String {
        directory.hasSuffix("/") ? directory + component : directory + "/" + component
    }

    private static func parent(_ path: String) -> String {
        let parent = (path as NSString).deletingLastPathComponent
        return parent.isEmpty ? "/" : parent
    }
}

public enum ScenarioLibraryError: LabError, Equatable {
    case environmentDirectoryMissing(String)
    case directoryNotFound(searched: [String])
    case unknownScenario(name: String, available: [String], directory: String)

    public var exitStatus: ExitStatus { .badInput }

    public var description: String {
        switch self {
        case .environmentDirectoryMissing(let path):
            return "BENCHLAB_SCENARIOS is set to '\(path)', which is not a directory"
        case .directoryNotFound(let searched):
            return "cannot find the scenarios directory (looked for \(searched.joined(separator: ", "))); "
                + "set BENCHLAB_SCENARIOS or give the scenario file's path"
        case .unknownScenario(let name, let available, let directory) where available.isEmpty:
            return "unknown scenario '\(name)': \(directory) holds no scenarios"
        case .unknownScenario(let name, let available, let directory):
            let hint = Suggestion.candidates(for: name, among: available).first.map { " (did you mean '\($0)'?)" } ?? ""
            return "unknown scenario '\(name)'\(hint); available in \(directory): \(available.joined(separator: ", "))"
        }
    }
}
