import Foundation
import Testing
import TestSupport

/// The progress line of long audits: on a terminal only (a pty from util-linux's `script`), never
/// with `--quiet`, never in a pipe or a cron job, never for a quick run.
@Suite(.serialized) struct ProgressTests {
    /// Runs macaudit with a pseudo-terminal as stdin, stdout and stderr; what the terminal showed.
    static func onTerminal(_ arguments: [String], environment: [String: String] = [:]) throws -> CLI.Result {
        let command = ([CLI.binary] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let r = try Subprocess.run("script", ["-qec", command, "/dev/null"], environment: CLI.environment(environment), directory: CLI.root.path)
        return CLI.Result(status: r.status, stdout: r.stdout, stderr: r.stderr)
    }

    static func fleet() throws -> String {
        let dir = try CLI.temporaryDirectory("progress")
        try HTMLReportTests.writeFleet(to: "\(dir)/fleet")
        return "\(dir)/fleet"
    }

    @Test func aLongAuditShowsProgressOnATerminalOnly() throws {
        let fleet = try Self.fleet()
        let out = "\(fleet)/../report.json"
        let shown = try Self.onTerminal(["audit", fleet, "--format", "json", "-o", out], environment: ["MACAUDIT_PROGRESS_DELAY": "0"])
        #expect(shown.status == 1, "the exit code is the audit's")
        #expect(shown.stdout.contains("\r\u{1B}[Kmacaudit: reading exports: "), "\(shown.stdout.prefix(400))")
        #expect(shown.stdout.contains(" of 64 files, "))
        #expect(shown.stdout.hasSuffix("\r\u{1B}[K"), "the line is erased at the end")
        #expect(FileManager.default.fileExists(atPath: out))

        let quiet = try Self.onTerminal(["audit", fleet, "--quiet", "--format", "json", "-o", out], environment: ["MACAUDIT_PROGRESS_DELAY": "0"])
        #expect(quiet.status == 1)
        #expect(!quiet.stdout.contains("macaudit:"), "--quiet: \(quiet.stdout.prefix(200))")

        let piped = try CLI.run(["audit", fleet, "--format", "json", "-o", out], environment: ["MACAUDIT_PROGRESS_DELAY": "0"])
        #expect(piped.status == 1)
        #expect(piped.stderr.isEmpty, "not a terminal: \(piped.stderr.prefix(200))")
    }

    @Test func aQuickAuditPrintsNoProgress() throws {
        let r = try Self.onTerminal(["audit", "Captures/sample-cluster", "--format", "json", "-o", "/dev/null"])
        #expect(r.status == 1)
        #expect(!r.stdout.contains("macaudit:"), "\(r.stdout.prefix(200))")
    }
}
