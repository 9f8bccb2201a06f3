#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import LabScenario
import LabSystem

// The entry point maps every failure to one line on stderr and a documented exit status
// (README, "Exit codes"): argument-parser's own usage errors become 2 like any other bad input.
func fail(_ message: String, _ status: Int32) -> Never {
    FileHandle.standardError.write(Data("benchlab: \(message)\n".utf8))
    exit(status)
}

do {
    var command = try Benchlab.parseAsRoot()
    try command.run()
} catch let error as ScenarioError {
    // One line per problem in the file, each `file:line:column: message`.
    FileHandle.standardError.write(Data("\(error.description)\n".utf8))
    exit(error.exitStatus.rawValue)
} catch let error as any LabError {
    fail(error.oneLine, error.exitStatus.rawValue)
} catch {
    let code = Benchlab.exitCode(for: error)
    if code == .success {
        print(Benchlab.fullMessage(for: error))
        exit(0)
    }
    if error is ExitCode { exit(code.rawValue) }
    let status = code == .validationFailure ? ExitStatus.badInput.rawValue : code.rawValue
    fail("\(Benchlab.message(for: error)) (see 'benchlab --help')", status)
}
