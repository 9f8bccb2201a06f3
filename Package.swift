// swift-tools-version: 6.0
// benchlab: netfilter vs eBPF packet-filtering lab. See README.md and ../shared/DESIGN.md.
import PackageDescription

let package = Package(
    name: "benchlab",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "benchlab", targets: ["benchlab"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // Layer 0: system access (processes, errno chokepoint, atomic files, cancellation).
        .target(name: "CLabShims"),
        .target(name: "LabSystem", dependencies: ["CLabShims"]),

        // Layer 1: pure models, no kernel.
        .target(name: "LabNetwork"),
        // Ethernet/IPv4/UDP/TCP/ICMP frames and the Internet checksum, for the flood, BPF test runs and tests.
        .target(name: "LabPacket", dependencies: ["LabNetwork"]),
        .target(name: "LabPolicy", dependencies: ["LabNetwork", "LabSystem"]),
        .target(name: "LabResults", dependencies: ["LabSystem", "LabIPAM"]),
        .target(name: "LabStats", dependencies: ["LabSystem"]),
        // Pod address planning: a cluster pool carved into per-node pod CIDRs, and named multi-pools.
        .target(name: "LabIPAM", dependencies: ["LabNetwork"]),


        // Layer 2: the kernel and the tools.
        .target(name: "LabTopology", dependencies: ["LabSystem", "LabNetwork", "LabIPAM"]),
        .target(name: "LabConntrack", dependencies: ["LabSystem", "LabNetwork", "LabPolicy"]),
        .target(name: "LabCollectors", dependencies: ["LabSystem", "LabTopology", "LabResults", "LabConntrack"]),
        .target(name: "LabTraffic", dependencies: [
            "LabSystem", "LabNetwork", "LabPacket", "LabTopology", "LabPolicy", "LabResults", "LabConntrack", "LabStats", "LabCollectors",
            "CLabShims", "LabCapture",
            .product(name: "Histogram", package: "hdrhistogram-swift"),
        ]),
        .systemLibrary(name: "CLibBPF", pkgConfig: "libbpf", providers: [.apt(["libbpf-dev"])]),
        // Every bpf/*.bpf.c is compiled by BPFObjectPlugin (clang -target bpf) and embedded as LabBPF resources.
        .plugin(name: "BPFObjectPlugin", capability: .buildTool()),
        .target(name: "LabBPF", dependencies: ["LabSystem", "LabNetwork", "LabPacket", "LabPolicy", "CLibBPF"], plugins: ["BPFObjectPlugin"]),
        // nf_conntrack over ctnetlink (counts, per-CPU statistics, destroy events): LabNetlink owns the C libraries.
        .systemLibrary(name: "CNetfilterConntrack", pkgConfig: "libnetfilter_conntrack",
                       providers: [.apt(["libnetfilter-conntrack-dev", "libmnl-dev"])]),
        .target(name: "LabNetlink", dependencies: ["LabSystem", "LabNetwork", "LabConntrack", "LabPolicy", "CNetfilterConntrack"]),
        // Packet captures over libpcap (live in a lab namespace, .pcap files): LabCapture owns the C library.
        .systemLibrary(name: "CPcap", pkgConfig: "libpcap", providers: [.apt(["libpcap-dev"])]),
        .target(name: "LabCapture", dependencies: ["LabSystem", "LabNetwork", "CPcap"]),
        .target(name: "LabBackends", dependencies: ["LabSystem", "LabNetwork", "LabPolicy", "LabTopology", "LabResults", "LabBPF", "LabConntrack", "LabNetlink"]),

        // The scenario file: reads YAML into the types the modules above own.
        .target(name: "LabScenario", dependencies: [
            "LabSystem", "LabNetwork", "LabPolicy", "LabTopology", "LabTraffic", "LabBackends", "LabIPAM",
            .product(name: "Yams", package: "Yams"),
        ]),

        // Reports: the metric catalog is assembled from the producers' declarations (workloads, collectors).
        .target(name: "LabReport", dependencies: ["LabResults", "LabStats", "LabSystem", "LabTraffic", "LabCollectors"]),

        // Layer 3: one run, end to end.
        .target(name: "LabRunner", dependencies: [
            "LabSystem", "LabNetwork", "LabScenario", "LabPolicy", "LabTopology", "LabTraffic",
            "LabCollectors", "LabBackends", "LabBPF", "LabResults", "LabConntrack", "LabNetlink", "LabCapture", "LabIPAM",
        ]),
        .executableTarget(name: "benchlab", dependencies: [
            "LabRunner", "LabTraffic", "LabScenario", "LabReport", "LabResults", "LabTopology",
            "LabBackends", "LabSystem", "LabNetlink",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Tests: unit tests need no root; integration tests drive the real kernel and skip, with a reason, when not root.
        .target(name: "LabTestSupport", dependencies: ["LabSystem", "LabNetwork", "LabTopology", "LabPolicy"], path: "Tests/LabTestSupport"),
        .testTarget(name: "UnitTests", dependencies: [
            "LabSystem", "LabNetwork", "LabPacket", "LabScenario", "LabPolicy", "LabResults", "LabStats", "LabReport",
            "LabTraffic", "LabCollectors", "LabTopology", "LabBackends", "LabBPF", "LabRunner", "LabTestSupport", "LabConntrack",
            "LabNetlink", "LabIPAM", "LabCapture",
        ], resources: [.copy("Fixtures")]),
        .testTarget(name: "IntegrationTests", dependencies: [
            "LabSystem", "LabNetwork", "LabTopology", "LabTraffic", "LabBackends", "LabBPF", "LabRunner", "LabResults",
            "LabScenario", "LabPolicy", "LabCollectors", "LabTestSupport", "CLibBPF", "LabConntrack", "LabNetlink",
            "LabCapture",
        ]),
    ]
)
