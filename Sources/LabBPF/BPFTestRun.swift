import CLibBPF

/// One BPF_PROG_TEST_RUN: the kernel runs the loaded program on a packet it builds from `packet`
/// (an xdp_buff for XDP, an skb for tc), `repeat` times, without any interface — cilium's way of
/// unit-testing BPF programs, and a clean micro-benchmark since nothing else is on the path.
public struct BPFTestRun: Hashable, Sendable {
    /// The program's return code (XDP_* or TC_ACT_*) for the last run.
    public let returnValue: Int32
    /// The kernel's mean time per run in nanoseconds (its loop's total divided by `repeat`; it
    /// includes the loop's own small cost, so compare runs of equal repeat counts).
    public let nanosecondsPerRun: UInt32
    public let repetitions: Int
}

extension BPFProgram {
    /// Runs the program on `packet`. The kernel wants at least an Ethernet header (14 bytes) and at
    /// most a page minus headroom; shorter or longer is the caller's mistake (EINVAL).
    public func testRun(packet: [UInt8], repeat repetitions: Int = 1) throws -> BPFTestRun {
        try testRun(packet: packet, context: nil, repeat: repetitions)
    }

    /// Runs the program once on `packet` and returns the packet as the program left it (data_out):
    /// what a rewriting program (the SNAT) wrote is checked on it.
    public func testRunRewriting(packet: [UInt8]) throws -> (run: BPFTestRun, packet: [UInt8]) {
        var output = [UInt8](repeating: 0, count: packet.count + 256)
        var outputSize = UInt32(output.count)
        let run = try output.withUnsafeMutableBytes { buffer in
            try testRun(packet: packet, context: nil, repeat: 1) { options in
                options.data_out = buffer.baseAddress
                options.data_size_out = UInt32(buffer.count)
            } after: { options in
                outputSize = options.data_size_out
            }
        }
        return (run, Array(output.prefix(Int(outputSize))))
    }

    /// Runs the program on `packet` with `context` as its ctx_in (a struct xdp_md or __sk_buff image:
    /// the ingress interface, which the kernel looks up in the calling thread's namespace).
    func testRun(packet: [UInt8], context: [UInt8]?, repeat repetitions: Int,
                 _ configure: (inout bpf_test_run_opts) -> Void = { _ in },
                 after: (bpf_test_run_opts) -> Void = { _ in }) throws -> BPFTestRun {
        precondition(repetitions >= 1, "repeat must be at least 1")
        var context = context ?? []
        return try packet.withUnsafeBytes { bytes in
            try context.withUnsafeMutableBytes { contextBytes in
            try LibBPFOptions.with(bpf_test_run_opts.self, size: \.sz, {
                $0.repeat = Int32(repetitions)
                $0.data_in = bytes.baseAddress
                $0.data_size_in = UInt32(bytes.count)
                if !contextBytes.isEmpty {
                    $0.ctx_in = UnsafeRawPointer(contextBytes.baseAddress)
                    $0.ctx_size_in = UInt32(contextBytes.count)
                }
                configure(&$0)
            }) { options in
                try libbpfCall("test-run program \(name) on a \(packet.count)-byte packet") {
                    bpf_prog_test_run_opts(fd, options)
                }
                after(options.pointee)
                return BPFTestRun(returnValue: Int32(bitPattern: options.pointee.retval),
                                  nanosecondsPerRun: options.pointee.duration, repetitions: repetitions)
            }
            }
        }
    }
}
