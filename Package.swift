// swift-tools-version: 6.0
// macaudit — audits the MAC addresses of Hyper-V / Azure Stack HCI SDN clusters.
import PackageDescription

let package = Package(
    name: "macaudit",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "MACAudit", targets: ["MACAudit"]),
        .executable(name: "macaudit", targets: ["macaudit"]),
        .executable(name: "macaudit-bench", targets: ["macaudit-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // The pure core: model, ingest, reconcile, rules, checks, reports. No GRDB, no libpcap.
        .target(
            name: "MACAudit",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        // libpcap (system library, Debian libpcap-dev): only MACAuditCapture imports it.
        .systemLibrary(name: "CPcap", path: "Sources/CPcap", providers: [.apt(["libpcap-dev"])]),
        // Capture files and live interfaces through libpcap, decoded by the core's FrameDecoder.
        .target(name: "MACAuditCapture", dependencies: ["MACAudit", "CPcap"]),
        // The pool database (SQLite through GRDB): the only target that imports GRDB.
        .target(
            name: "MACAuditStore",
            dependencies: ["MACAudit", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // The thin command line: parses arguments, calls the core, maps outcomes to exit codes.
        .executableTarget(
            name: "macaudit",
            dependencies: [
                "MACAudit",
                "MACAuditStore",
                "MACAuditCapture",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Fleet generator and benchmark against the jq baseline (run in release).
        .executableTarget(
            name: "macaudit-bench",
            dependencies: [
                "MACAudit",
                "MACAuditStore",
                "MACAuditCapture",
                "CPcap",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "MACAuditTests", dependencies: ["MACAudit"]),
        .testTarget(name: "StoreTests", dependencies: ["MACAuditStore"]),
        // Launching child processes in tests (posix_spawn, not Foundation's Process).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "CaptureTests", dependencies: ["MACAuditCapture", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["macaudit", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
