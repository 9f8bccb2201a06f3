import Testing
@testable import LabTraffic

/// The AF_XDP sender's stream arithmetic: which frames the kernel took, which the device refused.
@Suite("AF_XDP sender accounting")
struct XDPFrameSenderTests {
    typealias Positions = XDPFrameSender.Positions
    /// A cycle of 4 frames, the third (index 2) from a denied source.
    let denied: [UInt8] = [0, 0, 1, 0]

    @Test("a kick that sent frames moves `consumed` to the published consumer index")
    func sent() {
        let after = XDPFrameSender.account(Positions(posted: 64, consumed: 0), published: 32, refusedOne: false, denied: denied)
        #expect(after == Positions(posted: 64, consumed: 32))
    }

    @Test("a kick that sent frames and then was refused: the last frame taken is the refused one")
    func refusedAfterSending() {
        // Frames 0...6 taken (published 7), frame 6 refused: 6 mod 4 = 2, a denied frame.
        let after = XDPFrameSender.account(Positions(posted: 64, consumed: 0), published: 7, refusedOne: true, denied: denied)
        #expect(after == Positions(posted: 64, consumed: 7, refused: 1, refusedDenied: 1))
    }

    @Test("a kick refused at its first frame publishes nothing: the refused frame is the next one")
    func refusedFirst() {
        let start = Positions(posted: 64, consumed: 5)
        let after = XDPFrameSender.account(start, published: 5, refusedOne: true, denied: denied)
        #expect(after == Positions(posted: 64, consumed: 6, refused: 1, refusedDenied: 0))  // frame 5: 5 mod 4 = 1, allowed
        // Twice in a row, still unpublished (the index lags behind what was taken): frame 6, denied.
        let again = XDPFrameSender.account(after, published: 5, refusedOne: true, denied: denied)
        #expect(again == Positions(posted: 64, consumed: 7, refused: 2, refusedDenied: 1))
        // A later kick publishes past both: nothing is counted twice.
        let caught = XDPFrameSender.account(again, published: 20, refusedOne: false, denied: denied)
        #expect(caught == Positions(posted: 64, consumed: 20, refused: 2, refusedDenied: 1))
    }

    @Test("a published index behind what is known changes nothing")
    func lagging() {
        let start = Positions(posted: 10, consumed: 8, refused: 1)
        #expect(XDPFrameSender.account(start, published: 7, refusedOne: false, denied: denied) == start)
    }

    @Test("the 32-bit ring index wraps; the 64-bit stream position does not")
    func wraps() {
        let start = Positions(posted: (1 << 32) + 100, consumed: (1 << 32) - 10)
        let after = XDPFrameSender.account(start, published: 30, refusedOne: false, denied: denied)
        #expect(after.consumed == (1 << 32) + 30)
    }
}
