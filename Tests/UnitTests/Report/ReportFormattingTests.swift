import Testing
@testable import LabReport

@Suite("Report: CSV, numbers and progress")
struct ReportFormattingTests {
    @Test func csvQuotesPerRFC4180() {
        #expect(SummaryCSV.field("tc[rules=1]") == "tc[rules=1]")
        #expect(SummaryCSV.field("tc[rules=1,mode=native]") == "\"tc[rules=1,mode=native]\"")
        #expect(SummaryCSV.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(SummaryCSV.field("two\r\nlines") == "\"two\r\nlines\"")
        #expect(SummaryCSV.field("two\nlines") == "\"two\nlines\"")
    }

    @Test func csvHasOneRowPerStatisticWithParameterColumns() {
        var builder = RunBuilder()
        builder.parameters = [.init(name: "rules", values: ["1"])]
        builder.add("none", point: [("rules", "1")], ["throughput_gbps": [10, 10.2, 9.8]])
        builder.add("tc", point: [("rules", "1")], ["throughput_gbps": [9.6, 9.7, 9.5]])
        let csv = SummaryCSV(run: RunAnalysis(record: builder.record())).text
        let rows = csv.components(separatedBy: "\r\n").dropLast()
        #expect(csv.hasSuffix("\r\n"))
        #expect(rows.first == "case,backend,rules,workload,metric,unit,statistic,value,n")
        let none = rows.filter { $0.hasPrefix("none[rules=1],") }
        #expect(none.map { $0.split(separator: ",")[6] } == ["median", "ci95_low", "ci95_high", "mean", "min", "max", "stdev", "cv"])
        #expect(none.first == "none[rules=1],none,1,tcp-throughput,throughput_gbps,Gbit/s,median,10.0,3")
        let tc = rows.filter { $0.hasPrefix("tc[rules=1],") }.map { String($0.split(separator: ",")[6]) }
        #expect(tc.suffix(3) == ["ratio_to_none", "ratio_to_none_ci95_low", "ratio_to_none_ci95_high"])
    }

    @Test func numbersKeepThreeSignificantFigures() {
        #expect(NumberText.value(9.412) == "9.41")
        #expect(NumberText.value(0.031234) == "0.0312")
        #expect(NumberText.value(127.4) == "127")
        #expect(NumberText.value(12873.6) == "12874")
        #expect(NumberText.value(0) == "0")
        #expect(NumberText.count(3) == "3")
        #expect(NumberText.count(2.5) == "2.5")
        #expect(NumberText.ratio(0.973) == "0.97×")
        #expect(NumberText.ratio(0.0864) == "0.0864×")
        #expect(NumberText.percentChange(-0.175) == "−17.5%")
        #expect(NumberText.percentChange(0.041) == "+4.1%")
        #expect(NumberText.bytes(16_766_779_392) == "15.6 GiB")
    }

    @Test func progressShowsPositionElapsedAndETAFromTheMeanStep() {
        var progress = ProgressLine(totalSteps: 6)
        let position = ProgressPosition(caseNumber: 3, caseCount: 12, caseId: "tc[rules=100]", repeatNumber: 2, repeatCount: 3)
        #expect(progress.line(position, elapsedSeconds: 0) == "case 3/12 tc[rules=100] repeat 2/3 — elapsed 0:00, ETA –")
        progress.stepFinished(seconds: 10)
        progress.stepFinished(seconds: 20)
        // Mean 15 s × 4 steps left.
        #expect(progress.remainingSeconds == 60)
        #expect(progress.line(position, elapsedSeconds: 42) == "case 3/12 tc[rules=100] repeat 2/3 — elapsed 0:42, ETA 1:00")
        let warmup = ProgressPosition(caseNumber: 1, caseCount: 12, caseId: "none", repeatNumber: 1, repeatCount: 1, isWarmup: true)
        #expect(progress.line(warmup, elapsedSeconds: 3729).hasPrefix("case 1/12 none warm-up 1/1 — elapsed 1:02:09"))
    }

    @Test func progressETAReachesZeroAndNeverGoesNegative() {
        var progress = ProgressLine(totalSteps: 1)
        progress.stepFinished(seconds: 5)
        progress.stepFinished(seconds: 5)
        #expect(progress.remainingSeconds == 0)
    }
}
