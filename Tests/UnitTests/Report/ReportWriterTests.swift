import Foundation
import Testing
@testable import LabReport
import LabResults

@Suite("Report: writer")
struct ReportWriterTests {
    static var gnuplotInstalled: Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
            .contains { FileManager.default.isExecutableFile(atPath: "\($0)/gnuplot") }
    }

    /// Every file under `directory` except run.json, relative path → bytes.
    static func snapshot(_ directory: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for path in Golden.listing(URL(fileURLWithPath: directory)) where path != "run.json" {
            files[path] = try Data(contentsOf: URL(fileURLWithPath: directory).appendingPathComponent(path))
        }
        return files
    }

    static func runDirectory(_ fixture: String) throws -> String {
        let directory = try ReportFixtures.temporaryDirectory()
        try FileManager.default.copyItem(atPath: ReportFixtures.runPath(fixture), toPath: "\(directory)/run.json")
        return directory
    }

    @Test(arguments: ReportFixtures.names)
    func rebuildingFromRunJSONGivesIdenticalBytes(fixture: String) throws {
        let directory = try Self.runDirectory(fixture)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let report = try ReportWriter.rebuild(from: directory)
        #expect(report == "\(directory)/report.md")
        let first = try Self.snapshot(directory)
        try ReportWriter.rebuild(from: "\(directory)/run.json")
        let second = try Self.snapshot(directory)
        #expect(first == second)
        #expect(first["report.md"] != nil && first["summary.csv"] != nil)
        #expect(first.keys.contains { $0.hasPrefix("charts/") && $0.hasSuffix(".gp") })
        // What the run itself writes (from the in-memory record) is what `benchlab report` rebuilds.
        let other = try ReportFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: other) }
        try ReportWriter.write(record: try ReportFixtures.run(fixture), to: other)
        #expect(try Self.snapshot(other) == first)
    }

    @Test(.enabled(if: ReportWriterTests.gnuplotInstalled, "gnuplot is not installed"))
    func gnuplotDrawsEveryChart() throws {
        let directory = try Self.runDirectory("filter-scale")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try ReportWriter.rebuild(from: directory)
        let files = try Self.snapshot(directory)
        let scripts = files.keys.filter { $0.hasSuffix(".gp") }
        // 5 metric charts, 1 series, and a latency distribution per rule count (3).
        #expect(scripts.count == 9)
        for script in scripts {
            let image = String(script.dropLast(3)) + ".svg"
            let svg = try #require(files[image].map { String(decoding: $0, as: UTF8.self) }, "\(image) missing")
            #expect(svg.contains("<svg") && svg.contains("</svg>"), "\(image) is not a whole SVG")
        }
        let report = String(decoding: files["report.md"]!, as: UTF8.self)
        #expect(report.contains("![tcp-throughput: throughput_gbps against rules](charts/tcp-throughput-throughput_gbps.svg)"))
        #expect(!report.contains("Charts were skipped") && !report.contains("gnuplot failed"))
    }

    @Test func withoutGnuplotTheReportStillRendersAndSaysHowToGetCharts() throws {
        let directory = try ReportFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let renderer = GnuplotRenderer(executable: "benchlab-test-no-such-gnuplot")
        let path = try ReportWriter.write(record: try ReportFixtures.run("filter-scale"), to: directory, renderer: renderer)
        let report = try String(contentsOfFile: path, encoding: .utf8)
        #expect(report.contains("Charts were skipped: gnuplot is not installed"))
        #expect(report.contains("apt-get install gnuplot-nox"))
        #expect(report.contains("## Results"))
        #expect(try Self.snapshot(directory).keys.allSatisfy { !$0.hasSuffix(".svg") })
    }

    @Test func aFailingChartIsNamedInTheReport() throws {
        let directory = try ReportFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // `false` stands in for a gnuplot that rejects every script.
        let renderer = GnuplotRenderer(executable: "false")
        let path = try ReportWriter.write(record: try ReportFixtures.run("ci-smoke"), to: directory, renderer: renderer)
        let report = try String(contentsOfFile: path, encoding: .utf8)
        #expect(report.contains("gnuplot failed on 3 of 3 charts"))
        #expect(report.contains("- tcp-connect-cps: gnuplot exited 1 without output"))
        #expect(!report.contains(".svg)"))
    }
}
