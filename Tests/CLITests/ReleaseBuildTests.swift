import Foundation
import Testing
import TestSupport

/// The release build the README's Install section documents: a binary that needs no Swift runtime
/// (`--static-swift-stdlib`), runs with nothing beside it, and a man page generated from the
/// commands. Built here in debug (the same linking as `-c release`, in half the time) into
/// `.build-static`, so the suite's own build is left alone.
@Suite(.serialized) struct ReleaseBuildTests {
    static var swift: String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for dir in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(dir)/swift") { return "\(dir)/swift" }
        return "/opt/swift/usr/bin/swift"
    }

    /// Runs `swift` with `arguments` in the package; fails the test with the build's last lines.
    static func swiftBuild(_ arguments: [String]) throws {
        let r = try Subprocess.run(swift, arguments, directory: CLI.root.path)
        let tail = (r.stdout + r.stderr).split(separator: "\n").suffix(30).joined(separator: "\n")
        try #require(r.status == 0, "swift \(arguments.joined(separator: " ")) failed:\n\(tail)")
    }

    @Test func theStaticBuildLinksNoSwiftRuntimeAndRunsAlone() throws {
        let scratch = CLI.root.appendingPathComponent(".build-static").path
        try Self.swiftBuild(["build", "--static-swift-stdlib", "--product", "macaudit", "--scratch-path", scratch])
        let built = "\(scratch)/debug/macaudit"
        let ldd = try Subprocess.run("ldd", [built])
        #expect(ldd.status == 0, "\(ldd.stderr)")
        let libraries = ldd.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let swiftRuntime = libraries.filter { line in
            ["libswift", "libFoundation", "lib_Foundation", "libdispatch", "libBlocksRuntime", "libicu", "libXCTest", "libTesting"].contains { line.hasPrefix($0) }
        }
        #expect(swiftRuntime.isEmpty, "linked against the Swift runtime: \(swiftRuntime)")
        for needed in ["libpcap.so", "libsqlite3.so", "libc.so"] {
            #expect(libraries.contains { $0.hasPrefix(needed) }, "\(needed) is linked dynamically (Debian's package): \(libraries)")
        }
        #expect(!libraries.contains { $0.contains("not found") }, "\(libraries)")

        // Alone in a folder, as installed: no resource bundle, no toolchain beside it.
        let dir = try CLI.temporaryDirectory()
        let installed = "\(dir)/macaudit"
        try FileManager.default.copyItem(atPath: built, toPath: installed)
        let environment = ["PATH": "/usr/bin:/bin", "LD_LIBRARY_PATH": ""]
        let version = try Subprocess.run(installed, ["--version"], environment: environment)
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("macaudit 1.0.0 (commit "))
        let collector = try Subprocess.run(installed, ["collector"], environment: environment)
        #expect(collector.stdout == (try String(contentsOfFile: InstallTests.collectorPath, encoding: .utf8)))
        let audit = try Subprocess.run(installed, ["audit", "Captures/sample-cluster", "--rules", "rules"], environment: environment, directory: CLI.root.path)
        #expect(audit.status == 1)
        #expect(audit.stdout.contains("0 critical, 9 error, 5 warning, 1 info"), "\(audit.stdout)\(audit.stderr)")
    }

    /// The man page comes from the commands themselves, through swift-argument-parser's
    /// `generate-manual` (the tool behind `swift package plugin generate-manual`), and man renders it.
    @Test func theManPageIsGeneratedFromTheCommandsAndRenders() throws {
        let parser = CLI.root.appendingPathComponent(".build/checkouts/swift-argument-parser").path
        try #require(FileManager.default.fileExists(atPath: parser), "swift-argument-parser is checked out by the suite's build")
        let scratch = CLI.root.appendingPathComponent(".build-tools").path
        try Self.swiftBuild(["build", "--package-path", parser, "--product", "generate-manual", "--scratch-path", scratch])
        let dir = try CLI.temporaryDirectory()
        let generate = try Subprocess.run("\(scratch)/debug/generate-manual", [CLI.binary, "--output-directory", dir])
        try #require(generate.status == 0, "\(generate.stdout)\(generate.stderr)")
        let page = try String(contentsOfFile: "\(dir)/macaudit.1", encoding: .utf8)
        #expect(page.contains(".Dt MACAUDIT 1"))
        let rendered = try Subprocess.run("man", ["-l", "\(dir)/macaudit.1"], environment: ["MANWIDTH": "100", "MANPAGER": "cat", "PAGER": "cat", "PATH": "/usr/bin:/bin"])
        #expect(rendered.status == 0, "\(rendered.stderr)")
        for text in ["MACAUDIT(1)", "collector", "--fail-on", "Exit codes", "--version"] {
            #expect(rendered.stdout.contains(text), "the rendered page lacks \(text)")
        }
    }
}
