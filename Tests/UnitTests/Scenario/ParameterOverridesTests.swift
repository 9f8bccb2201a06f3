import LabSystem
import Testing
@testable import LabScenario

extension ScenarioTests {
    @Suite("--set parsing")
    struct Overrides {
        @Test func assignmentsBecomeValueLists() throws {
            #expect(try ParameterOverrides.parse(["rules=1,100,1000", "size=64", "label=a=b"])
                    == ["rules": ["1", "100", "1000"], "size": ["64"], "label": ["a=b"]])
            #expect(try ParameterOverrides.parse([]) == [:])
        }

        @Test(arguments: [
            (["rules"], "--set expects name=value[,value…], got 'rules'"),
            (["=5"], "--set expects name=value[,value…], got '=5'"),
            (["rules="], "--set rules has an empty value in 'rules='"),
            (["rules=1,,2"], "--set rules has an empty value in 'rules=1,,2'"),
            (["rules=1", "rules=2"], "--set rules is given twice; list all its values in one option (rules=a,b)"),
        ])
        func malformedAssignmentsAreBadInput(assignments: [String], message: String) throws {
            let error = try #require(throws: LabFailure.self) { try ParameterOverrides.parse(assignments) }
            #expect(error.description == message)
            #expect(error.exitStatus == .badInput)
        }
    }
}
