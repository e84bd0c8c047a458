import Foundation
import MACAudit
import Testing
import TestSupport

/// What an admin installing macaudit meets: `--version`, shell completion, the collector script
/// they run on a management host.
@Suite struct InstallTests {
    static let collectorPath = CLI.root.appendingPathComponent("Sources/macaudit/Collector/Collect-MacAuditInputs.ps1").path

    @Test func versionNamesTheReleaseAndTheCommit() throws {
        let r = try CLI.run(["--version"])
        #expect(r.status == 0)
        let line = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(line.hasPrefix("macaudit 1.0.0 (commit "), "got \(line)")
        let head = try Subprocess.run("git", ["-C", CLI.root.path, "rev-parse", "--short=12", "HEAD"])
        if head.status == 0 {
            let commit = head.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(line.contains("(commit \(commit))") || line.contains("(commit \(commit)-modified)"), "got \(line), HEAD is \(commit)")
        }
    }

    @Test func theCollectorIsPrintedAsShippedAndWrittenToAFile() throws {
        let shipped = try String(contentsOfFile: Self.collectorPath, encoding: .utf8)
        let r = try CLI.run(["collector"])
        #expect(r.status == 0)
        #expect(r.stdout == shipped, "the binary embeds the script of its source tree")
        #expect(shipped.unicodeScalars.allSatisfy { $0.isASCII }, "Windows PowerShell 5.1 reads a .ps1 without a BOM as ANSI: keep it ASCII")
        let dir = try CLI.temporaryDirectory()
        #expect(try CLI.run(["collector", "-o", "\(dir)/Collect-MacAuditInputs.ps1"]).status == 0)
        #expect(try String(contentsOfFile: "\(dir)/Collect-MacAuditInputs.ps1", encoding: .utf8) == shipped)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["Collect-MacAuditInputs.ps1"])
        let bad = try CLI.run(["collector", "-o", "\(dir)/no/such/folder/c.ps1"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("\(dir)/no/such/folder"), "stderr: \(bad.stderr)")
    }

    /// The collector parses with the PowerShell grammar and selects exactly the properties the
    /// ingest reads (its table, checked against the decoders by CollectedFieldsTests).
    @Test(.enabled(if: PowerShellGrammar.available)) func theCollectorSelectsExactlyWhatTheIngestReads() throws {
        let dir = try CLI.temporaryDirectory()
        let r = try CLI.run(["collector", "-o", "\(dir)/Collect-MacAuditInputs.ps1"])
        #expect(r.status == 0)
        let parsed = try PowerShellGrammar.run([CLI.root.appendingPathComponent("Tests/Scripts/collector_fields.py").path, dir])
        try #require(parsed.status == 0, "\(parsed.output)")
        let lists = try #require(try JSONSerialization.jsonObject(with: Data(parsed.output.utf8)) as? [String: [String]])
        #expect(lists["$AdapterProperties"] == CollectedFields.adapters)
        #expect(lists["$HostProperties"] == CollectedFields.hosts)
        #expect(lists["$PortProfileProperties"] == CollectedFields.portProfiles)
        #expect(lists["$ControllerResources"] == CollectedFields.controllerResources)
    }

    @Test func theReadmeSendsAdminsToTheCollector() throws {
        let readme = try String(contentsOfFile: CLI.root.appendingPathComponent("README.md").path, encoding: .utf8)
        #expect(readme.contains("macaudit collector"))
        #expect(!readme.contains("Get-VMNetworkAdapter -All | Select-Object"), "the export snippets live in the collector, not the README")
    }

    /// The bash completion script completes the subcommands and an option of `audit`.
    @Test func bashCompletesSubcommandsAndOptions() throws {
        let dir = try CLI.temporaryDirectory()
        let script = try CLI.run(["--generate-completion-script", "bash"])
        #expect(script.status == 0)
        try Data(script.stdout.utf8).write(to: URL(fileURLWithPath: "\(dir)/macaudit.bash"))
        func complete(_ words: [String]) throws -> [String] {
            let quoted = words.map { "'\($0)'" }.joined(separator: " ")
            let body = """
                source '\(dir)/macaudit.bash'
                COMP_WORDS=(\(quoted)); COMP_CWORD=\(words.count - 1); COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
                fn=$(complete -p macaudit | sed -E 's/.*-F ([^ ]+).*/\\1/'); "$fn" macaudit "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
                printf '%s\\n' "${COMPREPLY[@]}"
                """
            let r = try Subprocess.run("bash", ["-c", body], environment: ["PATH": "\(URL(fileURLWithPath: CLI.binary).deletingLastPathComponent().path):/usr/bin:/bin"])
            #expect(r.status == 0, "\(r.stderr)")
            return r.stdout.split(separator: "\n").map(String.init)
        }
        let subcommands = try complete(["macaudit", ""])
        for name in ["audit", "capture", "collector", "pool", "db"] { #expect(subcommands.contains(name), "bash offers \(subcommands)") }
        #expect(try complete(["macaudit", "audit", "--fail-o"]).contains("--fail-on"))
    }

    /// zsh and fish read their completion scripts without a syntax error.
    @Test(arguments: [("zsh", ["-n"]), ("fish", ["--no-execute"])])
    func zshAndFishCompletionScriptsParse(shell: String, check: [String]) throws {
        let dir = try CLI.temporaryDirectory()
        let script = try CLI.run(["--generate-completion-script", shell])
        #expect(script.status == 0)
        #expect(script.stdout.contains("collector"))
        let file = "\(dir)/macaudit.\(shell)"
        try Data(script.stdout.utf8).write(to: URL(fileURLWithPath: file))
        let r = try Subprocess.run(shell, check + [file])
        #expect(r.status == 0, "\(shell): \(r.stdout)\(r.stderr)")
    }
}
