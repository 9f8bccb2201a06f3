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

var command: any ParsableCommand
do {
    command = try Benchlab.parseAsRoot()
} catch {
    // Everything that goes wrong while reading the command line is bad input (2), whatever
    // argument-parser would have chosen; only help and version requests succeed.
    if Benchlab.exitCode(for: error) == .success {
        print(Benchlab.fullMessage(for: error))
        exit(0)
    }
    fail("\(Benchlab.message(for: error)) (see 'benchlab --help')", ExitStatus.badInput.rawValue)
}

do {
    try command.run()
} catch let error as ScenarioError {
    // One line per problem in the file, each `file:line:column: message`.
    FileHandle.standardError.write(Data("\(error.description)\n".utf8))
    exit(error.exitStatus.rawValue)
} catch let error as any LabError {
    fail(error.oneLine, error.exitStatus.rawValue)
} catch let error as ExitCode {
    exit(error.rawValue)
} catch {
    // argument-parser's own control flow (help, version) can surface here too.
    let code = Benchlab.exitCode(for: error)
    if code == .success {
        print(Benchlab.fullMessage(for: error))
        exit(0)
    }
    fail(Benchlab.message(for: error), code == .validationFailure ? ExitStatus.badInput.rawValue : ExitStatus.failure.rawValue)
}
