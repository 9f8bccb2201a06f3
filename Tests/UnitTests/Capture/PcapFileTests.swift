import Foundation
import LabCapture
import LabNetwork
import Testing

@Suite("pcap files")
struct PcapFileTests {
    @Test("the committed fixture is exactly what the frame builder writes (BENCHLAB_UPDATE_GOLDEN=1 rewrites it)")
    func fixtureIsReproducible() throws {
        let scratch = NSTemporaryDirectory() + "benchlab-pcap-\(UUID().uuidString).pcap"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try PcapFile.write(NATFixtureFrames.recording, to: scratch)
        let written = try Data(contentsOf: URL(fileURLWithPath: scratch))
        if ProcessInfo.processInfo.environment["BENCHLAB_UPDATE_GOLDEN"] == "1" {
            guard (try? Data(contentsOf: URL(fileURLWithPath: NATFixtureFrames.file))) != written else { return }
            try written.write(to: URL(fileURLWithPath: NATFixtureFrames.file))
            Issue.record("rewrote \(NATFixtureFrames.file); review and run again")
            return
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: NATFixtureFrames.file)) == written)
    }

    @Test("reading the fixture gives every frame with its timestamp, length and link type")
    func readsFixture() throws {
        let recording = try PcapFile.read(NATFixtureFrames.file)
        #expect(recording.linkType == .ethernet)
        #expect(recording.frames.count == 10)
        #expect(recording.frames[3].timestamp == CaptureTimestamp(seconds: 1_700_000_000, microseconds: 3000))
        #expect(recording.frames.map(\.bytes) == NATFixtureFrames.recording.frames.map(\.bytes))
        #expect(recording.frames.allSatisfy { $0.originalLength == $0.bytes.count })
    }

    @Test("a file written and read back keeps a frame cut by the snapshot length with its original length")
    func roundTripKeepsOriginalLength() throws {
        let path = NSTemporaryDirectory() + "benchlab-pcap-\(UUID().uuidString).pcap"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let frame = CapturedFrame(timestamp: CaptureTimestamp(seconds: 5, microseconds: 7), bytes: Array(NATFixtureFrames.udp(
            NATFixtureFrames.egress, 20_001, NATFixtureFrames.server, 7001).prefix(42)), originalLength: 1500)
        try PcapFile.write(PcapRecording(linkType: .ethernet, frames: [frame]), to: path, snapshotLength: 64)
        let back = try PcapFile.read(path)
        #expect(back.frames == [frame])
        #expect(back.packets.first?.length == 1500)
        #expect(back.packets.first?.ipv4?.destinationPort == 7001)
    }

    @Test("a file that is not a pcap, a truncated one and a missing one each give one clear error naming the file")
    func badFiles() throws {
        let directory = NSTemporaryDirectory() + "benchlab-pcap-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let text = "\(directory)/notes.pcap"
        try "not a capture at all, just text\n".write(toFile: text, atomically: true, encoding: .utf8)
        let truncated = "\(directory)/truncated.pcap"
        let whole = try Data(contentsOf: URL(fileURLWithPath: NATFixtureFrames.file))
        try whole.prefix(whole.count - 10).write(to: URL(fileURLWithPath: truncated))

        for (path, reason) in [(text, "unknown file format"), (truncated, "truncated"), ("\(directory)/absent.pcap", "No such file")] {
            do {
                _ = try PcapFile.read(path)
                Issue.record("\(path) was read without an error")
            } catch let error as CaptureError {
                #expect(error.description.contains(path), "\(error)")
                #expect(error.description.contains(reason), "\(error)")
                #expect(!error.description.contains("\n"))
            }
        }
    }
}
