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
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // The pure core, one target per stage; each imports only the stages before it, never GRDB
        // or libpcap. Model: MAC values, inventory, holders' raw parts, findings, sightings, shared helpers.
        .target(name: "MACAuditModel"),
        // Ingest: JSON exports, text encodings, frame decoders, rule files (the only target with Yams).
        .target(name: "MACAuditIngest", dependencies: ["MACAuditModel", .product(name: "Yams", package: "Yams")]),
        // Engine: reconcile, checks, planner, the pool-store seam and the audit pipeline.
        .target(name: "MACAuditEngine", dependencies: ["MACAuditModel", "MACAuditIngest"]),
        // Report: every renderer (text, JSON, CSV, Markdown, HTML, metrics, PowerShell scripts).
        .target(name: "MACAuditReport", dependencies: ["MACAuditModel", "MACAuditEngine"]),
        // The library product: re-exports the stages.
        .target(name: "MACAudit", dependencies: ["MACAuditModel", "MACAuditIngest", "MACAuditEngine", "MACAuditReport"]),
        // libpcap (system library, Debian libpcap-dev): only MACAuditCapture imports it.
        .systemLibrary(name: "CPcap", path: "Sources/CPcap", providers: [.apt(["libpcap-dev"])]),
        // Capture files and live interfaces through libpcap, decoded by the core's FrameDecoder.
        .target(name: "MACAuditCapture", dependencies: ["MACAudit", "CPcap"]),
        // The pool database (SQLite through GRDB): the only target that imports GRDB.
        .target(
            name: "MACAuditStore",
            dependencies: ["MACAudit", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift")]
        ),
        // The fleet's pool database (PostgreSQL through postgres-nio): the only target that imports it.
        .target(
            name: "MACAuditPostgres",
            dependencies: [
                "MACAudit",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The thin command line: parses arguments, calls the core, maps outcomes to exit codes.
        .executableTarget(
            name: "macaudit",
            dependencies: [
                "MACAudit",
                "MACAuditStore",
                "MACAuditPostgres",
                "MACAuditCapture",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["Collector/Collect-MacAuditInputs.ps1"],
            plugins: ["BuildInfoPlugin"]
        ),
        // Before each build of the command line: the git commit (`--version`) and the collector
        // script (`macaudit collector`) as Swift source, so the binary needs no files beside it.
        .plugin(name: "BuildInfoPlugin", capability: .buildTool(), path: "Sources/BuildInfoPlugin"),
        // Fleet generator and benchmark against the jq baseline (run in release).
        .executableTarget(
            name: "macaudit-bench",
            dependencies: [
                "MACAudit",
                "MACAuditStore",
                "MACAuditPostgres",
                "MACAuditCapture",
                "CPcap",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "MACAuditTests", dependencies: ["MACAudit", "MACAuditModel", "MACAuditIngest", "MACAuditEngine", "MACAuditReport"]),
        // GRDB only to build a database file of an older release for the migration test.
        .testTarget(name: "StoreTests", dependencies: ["MACAuditStore", "MACAuditPostgres", "TestSupport", "MACAudit", "MACAuditModel", "MACAuditIngest", "MACAuditEngine", "MACAuditReport",
                                                   .product(name: "GRDB", package: "GRDB.swift")]),
        // Launching child processes in tests (posix_spawn, not Foundation's Process).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "CaptureTests", dependencies: ["MACAuditCapture", "TestSupport", "MACAudit", "MACAuditModel", "MACAuditIngest", "MACAuditEngine", "MACAuditReport"]),
        // GRDB only to load a database file of an older release for the upgrade test.
        .testTarget(name: "CLITests", dependencies: ["macaudit", "MACAudit", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
    ],
    swiftLanguageModes: [.v6]
)
