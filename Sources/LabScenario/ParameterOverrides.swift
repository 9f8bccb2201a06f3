import LabSystem

/// The command line's `--set name=value[,value…]` options, as `ScenarioParser` takes them. Whether
/// the names and values fit the scenario is the parser's job; this checks only the syntax.
public enum ParameterOverrides {
    /// `["rules=1,100", "size=64"]` → `["rules": ["1", "100"], "size": ["64"]]`.
    public static func parse(_ assignments: [String]) throws -> [String: [String]] {
        var overrides: [String: [String]] = [:]
        for assignment in assignments {
            guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
                throw LabFailure("--set expects name=value[,value…], got '\(assignment)'", exitStatus: .badInput)
            }
            let name = String(assignment[..<equals])
            let values = assignment[assignment.index(after: equals)...].split(separator: ",", omittingEmptySubsequences: false)
            guard !values.contains(where: \.isEmpty) else {
                throw LabFailure("--set \(name) has an empty value in '\(assignment)'", exitStatus: .badInput)
            }
            guard overrides[name] == nil else {
                throw LabFailure("--set \(name) is given twice; list all its values in one option (\(name)=a,b)", exitStatus: .badInput)
            }
            overrides[name] = values.map(String.init)
        }
        return overrides
    }
}
