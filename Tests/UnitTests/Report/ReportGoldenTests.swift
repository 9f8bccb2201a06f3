import Foundation
import Testing
import LabReport

/// report.md, summary.csv and every chart script and data file, rendered from recorded run.json
/// fixtures, must match the reviewed goldens byte for byte.
@Suite("Report: golden outputs")
struct ReportGoldenTests {
    @Test(arguments: ReportFixtures.names)
    func outputsMatchGoldens(fixture: String) throws {
        let content = ReportContent(record: try ReportFixtures.run(fixture))
        let golden = ReportFixtures.goldenDirectory(fixture)
        var produced = ["report.md": content.markdown(rendering: .rendered), "summary.csv": content.summaryCSV]
        for file in content.chartFiles { produced[file.path] = file.text }
        for (path, text) in produced {
            try Golden.check(text, against: golden.appendingPathComponent(path))
        }
        if !Golden.updating {
            #expect(Golden.listing(golden) == produced.keys.sorted(), "golden files without output, or output without golden")
        }
    }

    @Test func reportWithoutGnuplotSaysHowToGetCharts() throws {
        let content = ReportContent(record: try ReportFixtures.run("filter-scale"))
        let markdown = content.markdown(rendering: .gnuplotMissing)
        #expect(markdown.contains("Charts were skipped: gnuplot is not installed"))
        #expect(markdown.contains("apt-get install gnuplot-nox"))
        #expect(!markdown.contains(".svg)"), "no link to an image that was not drawn")
        #expect(markdown.contains("[script](charts/tcp-throughput-throughput_gbps.gp)"))
    }
}
