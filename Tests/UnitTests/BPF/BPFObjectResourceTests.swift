import Foundation
import LabBPF
import LabTestSupport
import Testing

@Suite("BPF objects embedded in LabBPF")
struct BPFObjectResourceTests {
    /// What bpf/NAME.bpf.c should have produced, read from its "// benchlab: variants" line the way
    /// the plugin documents it (first lines; NAME_VARIANT.bpf.o each, else NAME.bpf.o).
    static func expectedObjects(program file: String, text: String) -> [String] {
        let name = String(file.dropLast(".bpf.c".count))
        let marker = "// benchlab: variants"
        guard let line = text.split(separator: "\n").prefix(5).first(where: { $0.hasPrefix(marker) }) else { return ["\(name).bpf.o"] }
        return line.dropFirst(marker.count).split(separator: " ").map { "\(name)_\($0).bpf.o" }
    }

    @Test("every bpf/*.bpf.c has its object(s) among LabBPF's resources, and nothing else is there")
    func everyProgramIsEmbedded() throws {
        let directory = "\(TestEnvironment.packageRoot)/bpf"
        let programs = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".bpf.c") }.sorted()
        #expect(programs.count >= 2, "bpf/ holds the filter and the null program at least: \(programs)")
        var expected: [String] = []
        for program in programs {
            expected += Self.expectedObjects(program: program, text: try String(contentsOfFile: "\(directory)/\(program)", encoding: .utf8))
        }
        #expect(BPFObjectResource.embeddedFileNames() == expected.sorted())
    }

    @Test("the filter's objects keep their names; each one is a BPF ELF file")
    func filterObjects() throws {
        #expect(FilterVariant.allCases.map(\.object.fileName) == ["filter_xdp.bpf.o", "filter_tc.bpf.o"])
        for resource in FilterVariant.allCases.map(\.object) + [BPFObjectResource(program: "pass", variant: "xdp")] {
            let elf = try resource.elf()
            #expect(Array(elf.prefix(4)) == [0x7f, 0x45, 0x4c, 0x46], "\(resource) is not an ELF file")
            #expect(elf.count > 18 && elf[18] == 247, "\(resource) is not for EM_BPF (247)")
        }
    }

    @Test("a missing object is an error that names it")
    func missingObject() {
        let error = #expect(throws: BPFError.self) { try BPFObjectResource(program: "nonesuch", variant: "xdp").elf() }
        #expect(error?.description.contains("nonesuch_xdp.bpf.o") == true)
    }
}
