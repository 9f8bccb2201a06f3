/// The runner's one-line progress: "case 3/12 tc[rules=100] repeat 2/3 — elapsed 0:42, ETA 1:10".
/// The ETA is the mean time of the steps finished so far times the steps left: steps of one run are
/// alike (same workloads), so the mean is a fair guess, and it needs no model of the schedule.
public struct ProgressLine: Sendable {
    /// Steps in the whole run (cases × (warm-ups + repeats)).
    public let totalSteps: Int
    public private(set) var finishedSteps = 0
    private var finishedSeconds = 0.0

    public init(totalSteps: Int) {
        precondition(totalSteps >= 0, "negative step count")
        self.totalSteps = totalSteps
    }

    /// Call when a step (one repeat of one case) ends, with how long it took.
    public mutating func stepFinished(seconds: Double) {
        finishedSteps += 1
        finishedSeconds += max(0, seconds)
    }

    /// Seconds left, or nil before the first step finished (no honest guess yet).
    public var remainingSeconds: Double? {
        guard finishedSteps > 0 else { return nil }
        return finishedSeconds / Double(finishedSteps) * Double(max(0, totalSteps - finishedSteps))
    }

    /// The line for the step about to run (or running).
    public func line(_ position: ProgressPosition, elapsedSeconds: Double) -> String {
        let eta = remainingSeconds.map(ProgressLine.clock) ?? "–"
        return "case \(position.caseNumber)/\(position.caseCount) \(position.caseId) \(position.repeatLabel) "
            + "— elapsed \(ProgressLine.clock(elapsedSeconds)), ETA \(eta)"
    }

    /// "0:42", "12:05", "1:02:09".
    public static func clock(_ seconds: Double) -> String {
        let total = Int(max(0, seconds).rounded())
        let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
        let twoDigits = { (n: Int) in n < 10 ? "0\(n)" : "\(n)" }
        return hours > 0 ? "\(hours):\(twoDigits(minutes)):\(twoDigits(secs))" : "\(minutes):\(twoDigits(secs))"
    }
}

/// Where the runner is: which case of how many, and which repeat of it (1-based, for people).
public struct ProgressPosition: Sendable, Equatable {
    public var caseNumber: Int
    public var caseCount: Int
    public var caseId: String
    public var repeatNumber: Int
    public var repeatCount: Int
    /// A warm-up repeat is shown as "warm-up 1/1", counted repeats as "repeat 2/3".
    public var isWarmup: Bool

    public init(caseNumber: Int, caseCount: Int, caseId: String, repeatNumber: Int, repeatCount: Int, isWarmup: Bool = false) {
        self.caseNumber = caseNumber
        self.caseCount = caseCount
        self.caseId = caseId
        self.repeatNumber = repeatNumber
        self.repeatCount = repeatCount
        self.isWarmup = isWarmup
    }

    var repeatLabel: String {
        "\(isWarmup ? "warm-up" : "repeat") \(repeatNumber)/\(repeatCount)"
    }
}
