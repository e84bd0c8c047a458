import Foundation
import Testing
import TestSupport

/// End-to-end tests: run the built `macaudit` binary and check what an admin sees — stdout,
/// stderr, exit codes, files.
enum CLI {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The binary next to the test bundle (SwiftPM puts every product of a build in one folder).
    static var binary: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("macaudit").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return root.appendingPathComponent(".build/debug/macaudit").path
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the binary in the package's folder, or in `directory`.
    static func run(_ arguments: [String], environment: [String: String] = [:], directory: String? = nil) throws -> Result {
        let r = try Subprocess.run(binary, arguments, environment: Self.environment(environment), directory: directory ?? root.path)
        return Result(status: r.status, stdout: r.stdout, stderr: r.stderr)
    }

    /// The test's environment without `MACAUDIT_RULES`, plus `extra`.
    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "MACAUDIT_RULES")
        for (k, v) in extra { env[k] = v }
        return env
    }

    static func temporaryDirectory(_ name: String = #function) throws -> String {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("macaudit-cli-\(name.filter { $0.isLetter })-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}

@Suite struct CLITests {
    @Test func auditingTheSampleClusterFindsErrorsAndExitsOne() throws {
        let r = try CLI.run(["audit", "Captures/sample-cluster/"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("ERROR (9)"))
        #expect(r.stdout.contains("duplicate-mac"))
        #expect(r.stdout.contains("0 critical, 9 error, 5 warning, 1 info"))
        #expect(!r.stdout.contains("\u{1B}["), "no colour when stdout is not a terminal")
    }

    @Test func failOnRaisesTheBar() throws {
        #expect(try CLI.run(["audit", "Captures/sample-cluster", "--fail-on", "critical"]).status == 0)
        #expect(try CLI.run(["audit", "Captures/sample-cluster", "--fail-on", "info"]).status == 1)
    }

    @Test func jsonGoesToTheOutputFile() throws {
        let dir = try CLI.temporaryDirectory()
        let r = try CLI.run(["audit", "Captures/sample-cluster", "--format", "json", "--output", "\(dir)/report.json"])
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/report.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["schema"] as? String == "macaudit.report/1")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["report.json"])
    }

    @Test func jsonOnStdoutParses() throws {
        let r = try CLI.run(["audit", "Captures/sample-cluster", "--format", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect((object?["findings"] as? [Any])?.count == 15)
    }

    /// Bad input: one line naming the file and where, exit 2, and no output file.
    @Test(arguments: [
        ("truncated.json", "[{\"MacAddress\":\"00155D010101\",\n\"VMName\":\"A", "truncated.json: line 2, column 10, byte 40, at $[0].VMName: not valid JSON"),
        ("types.json", "[{\"MacAddress\": true, \"VMName\":\"A\"}]", "types.json: record 1 (line 1), at $[0].MacAddress: expected a MAC address string, found a boolean"),
        ("shape.json", "{\"foo\": 1}", "shape.json: record 1 (line 1), at $: not a record macaudit knows"),
        ("binary.json", "\u{7F}ELF\u{0}\u{1}", "binary.json: this is a binary file"),
    ])
    func badInputExitsTwoWithOneLineAndWritesNothing(_ name: String, _ content: String, _ expected: String) throws {
        let dir = try CLI.temporaryDirectory()
        let file = "\(dir)/\(name)"
        try Data(content.utf8).write(to: URL(fileURLWithPath: file))
        let r = try CLI.run(["audit", file, "--format", "json", "--output", "\(dir)/report.json"])
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(r.stderr.contains(expected), "stderr was: \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/report.json"))
    }

    @Test func aFolderWithoutExportsExitsTwo() throws {
        let dir = try CLI.temporaryDirectory()
        try Data("nothing".utf8).write(to: URL(fileURLWithPath: "\(dir)/notes.md"))
        let r = try CLI.run(["audit", dir])
        #expect(r.status == 2)
        #expect(r.stderr.contains("holds no export files"))
    }

    @Test func anEmptyExportIsAWarningAndTheAuditGoesOn() throws {
        let dir = try CLI.temporaryDirectory()
        FileManager.default.createFile(atPath: "\(dir)/adapters-HV09.json", contents: Data())
        let r = try CLI.run(["audit", dir])
        #expect(r.status == 0)
        #expect(r.stdout.contains("holds no records"))
    }

    @Test func badUsageExitsTwo() throws {
        let r = try CLI.run(["audit", "Captures/sample-cluster", "--fail-on", "severe"])
        #expect(r.status == 2)
        #expect(try CLI.run(["frobnicate"]).status == 2)
    }

    @Test func aBrokenRuleFileExitsTwoNamingTheKey() throws {
        let dir = try CLI.temporaryDirectory()
        try Data("version: 1\nchecks:\n  duplicate-mac: loud\n".utf8).write(to: URL(fileURLWithPath: "\(dir)/severities.yaml"))
        let r = try CLI.run(["audit", "Captures/sample-cluster", "--rules", dir])
        #expect(r.status == 2)
        #expect(r.stderr.contains("severities.yaml: line 3"))
    }

    @Test func helpIsPartOfTheContract() throws {
        let r = try CLI.run(["audit", "--help"])
        #expect(r.status == 0)
        for option in ["--format", "--output", "--fail-on", "--cluster", "--rules", "--color"] {
            #expect(r.stdout.contains(option), "help lacks \(option)")
        }
    }

    /// The README's check catalog is `macaudit checks` (the registry), row for row and in order,
    /// and its fix-plan section names exactly the checks whose remedy is a new MAC.
    @Test func theREADMEListsEveryCheckOfTheRegistry() throws {
        let r = try CLI.run(["checks"])
        let rows = r.stdout.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        let ids = rows.map { $0[0] }
        #expect(!ids.isEmpty && Set(ids).count == ids.count)
        let readme = try String(contentsOf: CLI.root.appendingPathComponent("README.md"), encoding: .utf8)
        let catalog = try #require(Self.section("## Check catalog", of: readme))
        let listed = catalog.split(separator: "\n").filter { $0.hasPrefix("| `") }.map { String($0.dropFirst(3).prefix { $0 != "`" }) }
        #expect(listed == ids)
        let moving = rows.filter { $0[2] == "move" || $0[2] == "adopt-controller" }.map { $0[0] }
        let plans = try #require(Self.section("## Fix plans", of: readme))
        let planned = plans.split(separator: "(", maxSplits: 1).dropFirst().first?.split(separator: ")").first.map(String.init) ?? ""
        #expect(planned.components(separatedBy: "`").enumerated().filter { $0.offset % 2 == 1 }.map(\.element) == moving)
    }

    /// The text of a README section, up to the next `## ` heading.
    static func section(_ heading: String, of text: String) -> String? {
        guard let start = text.range(of: "\n" + heading + "\n") else { return nil }
        let rest = text[start.upperBound...]
        return String(rest[..<(rest.range(of: "\n## ")?.lowerBound ?? rest.endIndex)])
    }
}

@Suite struct CaptureCLITests {
    @Test func captureAloneWritesTheCaptureSchemaWithStations() throws {
        let r = try CLI.run(["capture", "Captures/wire/vxlan-duplicate.pcap", "--format", "json"])
        #expect(r.status == 1)  // wire-duplicate is an error
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(object["schema"] as? String == "macaudit.capture/1")
        let stations = try #require(object["stations"] as? [[String: Any]])
        let tenant = try #require(stations.first { $0["mac"] as? String == "02-1D-D8-00-77-01" })
        #expect(tenant["vni"] as? Int == 5001)
        #expect(tenant["vlan"] is NSNull)
        #expect(Set(tenant["providers"] as? [String] ?? []) == ["10.10.0.1", "10.10.0.2"])
        #expect((object["findings"] as? [[String: Any]])?.contains { $0["check"] as? String == "wire-duplicate" } == true)
    }

    @Test func auditJudgesTheWireAgainstTheInventory() throws {
        let r = try CLI.run(["audit", "Captures/sample-cluster", "Captures/wire/vlan-nvgre-nlb.pcap", "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let findings = try #require(object["findings"] as? [[String: Any]])
        #expect(findings.contains { $0["check"] as? String == "wire-unknown-mac" && $0["mac"] as? String == "02-1D-D8-00-60-01" && $0["severity"] as? String == "warning" })
        #expect((object["unseen"] as? [[String: Any]])?.isEmpty == false)
        #expect((object["inputs"] as? [[String: Any]])?.contains { $0["kind"] as? String == "capture" } == true)
    }

    @Test func aFileThatIsNotACaptureIsRefused() throws {
        let r = try CLI.run(["capture", "Captures/sample-cluster/vmhosts.json"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("is not a pcap or pcapng capture"))
    }
}

/// Hostile names go into the remediation scripts only as PowerShell single-quoted literals: a real
/// PowerShell grammar (tree-sitter-powershell, installed by `.ci/setup`) parses every script and
/// finds each value inside one whole verbatim string node.
@Suite(.enabled(if: PowerShellGrammar.available, "python3 with tree_sitter_powershell is not installed"))
struct ScriptSafetyTests {
    static let hostile = [
        "O'Brien", "it\u{2019}s", "\u{2018}quoted\u{2019}", "low\u{201A}high\u{201B}", "$(Remove-Item C:\\ -Recurse)", "`whoami`",
        "a; Stop-Computer -Force", "line\nbreak", "\"@", "'@", "@'\nhere\n'@", "${env:PATH}", "x' + (Get-Date) + '", "tab\there",
    ]

    @Test func hostileNamesStayInsideTheirLiterals() throws {
        let dir = try CLI.temporaryDirectory()
        var adapters: [[String: Any]] = []
        for (i, name) in Self.hostile.enumerated() {
            adapters.append(["ComputerName": "HV-\(name)", "VMName": name, "Name": "nic \(name)", "Id": "Microsoft:\(i)",
                             "MacAddress": String(format: "00155D0000%02X", i), "DynamicMacAddressEnabled": false, "SwitchName": "S"])
        }
        try FileManager.default.createDirectory(atPath: "\(dir)/exports", withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: adapters).write(to: URL(fileURLWithPath: "\(dir)/exports/adapters.json"))
        try FileManager.default.createDirectory(atPath: "\(dir)/rules", withIntermediateDirectories: true)
        try Data("version: 1\npools:\n  - name: fleet\n    first: 02-1D-D8-00-00-00\n    last: 02-1D-D8-00-FF-FF\n    scope: fleet\n".utf8)
            .write(to: URL(fileURLWithPath: "\(dir)/rules/pools.yaml"))
        let r = try CLI.run(["audit", "\(dir)/exports", "--rules", "\(dir)/rules", "--scripts", "\(dir)/scripts", "--fail-on", "critical"])
        #expect(r.status == 0, "\(r.stderr)")
        let scripts = try FileManager.default.contentsOfDirectory(atPath: "\(dir)/scripts")
        #expect(scripts.count == 2 * Self.hostile.count)
        let values = Self.hostile + Self.hostile.map { "HV-\($0)" } + Self.hostile.map { "nic \($0)" }
        try JSONSerialization.data(withJSONObject: values).write(to: URL(fileURLWithPath: "\(dir)/values.json"))
        let check = try PowerShellGrammar.run([CLI.root.appendingPathComponent("Tests/Scripts/check_ps_literals.py").path, "\(dir)/scripts", "\(dir)/values.json"])
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.contains(" 0 failures"))
    }
}

/// The scripts' structure and the cmdlets they call, checked on the parse tree (check_ps_structure.py
/// with the documented parameter sets of `Tests/Fixtures/powershell/cmdlets.json`).
@Suite(.enabled(if: PowerShellGrammar.available, "python3 with tree_sitter_powershell is not installed"))
struct ScriptStructureTests {
    static func check(_ folder: String) throws -> (status: Int32, output: String) {
        try PowerShellGrammar.run([CLI.root.appendingPathComponent("Tests/Scripts/check_ps_structure.py").path, folder,
                                   CLI.root.appendingPathComponent("Tests/Fixtures/powershell/cmdlets.json").path])
    }

    static func sampleScripts() throws -> String {
        let dir = try CLI.temporaryDirectory()
        let r = try CLI.run(["audit", "Captures/sample-cluster", "--plan", "--scripts", "\(dir)/scripts"])
        #expect(r.status == 1)
        return "\(dir)/scripts"
    }

    @Test func theSampleScriptsCallOnlyDocumentedParametersAndRestartEveryVMTheyStop() throws {
        let folder = try Self.sampleScripts()
        let r = try Self.check(folder)
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("6 scripts") && r.output.contains(" 0 failures"))
    }

    /// The checker fails what it should: a VM stopped outside a try/finally, an adapter found by
    /// name, a parameter no parameter set has, a missing #Requires.
    @Test func theCheckerRefusesAnUnsafeScript() throws {
        let dir = try CLI.temporaryDirectory()
        try Data("""
            function Stop-MacauditVM($VM) { Stop-VM -VM $VM -Force }
            function Start-MacauditVM($VM) { Start-VM -VM $VM }
            Stop-MacauditVM $vm
            Set-VMNetworkAdapter -VMName 'x' -Name 'Network Adapter' -StaticMac '001122334455'
            Get-VMNetworkAdapter -VMName 'x' -Name 'Network Adapter'
            """.utf8).write(to: URL(fileURLWithPath: "\(dir)/bad.ps1"))
        let r = try Self.check(dir)
        #expect(r.status == 1)
        for expected in ["not inside a try whose finally starts the VM", "has no parameter -StaticMac", "not filtered by Id", "lacks #Requires -RunAsAdministrator"] {
            #expect(r.output.contains(expected), "\(r.output)")
        }
    }

    @Test func rollbackRestoresTheControllersOwnValuesFromTheStateFile() throws {
        let folder = try Self.sampleScripts()
        let apply = try String(contentsOfFile: "\(folder)/apply-HCI-N02.ps1", encoding: .utf8)
        let rollback = try String(contentsOfFile: "\(folder)/rollback-HCI-N02.ps1", encoding: .utf8)
        // app01: the NC held 1C14 (the adapter 1C13): apply expects 1C14 on the interface and leaves it;
        // rollback restores the adapter from the state file and names the NC's own values.
        #expect(apply.contains("@{ Mac = '001DD8B71C13'; Dynamic = $false; InterfaceMac = '001DD8B71C14'; Method = 'Static' }"))
        #expect(rollback.contains("VMName = 'app01'") && rollback.contains("ExportedInterfaceMac = '001DD8B71C14'; ExportedMethod = 'Static'"))
        // dynvm: its interface was Dynamic; rollback knows it and restores what apply recorded.
        #expect(apply.contains("@{ Mac = '001DD8B70001'; Dynamic = $false; InterfaceMac = '001DD8B70001'; Method = 'Dynamic' }"))
        #expect(rollback.contains("ExportedInterfaceMac = '001DD8B70001'; ExportedMethod = 'Dynamic'"))
        #expect(rollback.contains("(ConvertTo-MacauditTarget $before $s)"))
        // Rollback refuses without a state file; apply records before it changes anything.
        #expect(rollback.contains("no state file at {0}"))
        #expect(apply.components(separatedBy: "-Record").count - 1 == 4, "each of the host's four moves records its state")
        #expect(apply.contains("A move shuts its VM down if it runs (up to 4 VM(s) here) and starts it again, whatever happens."))
        // migrated01 was dynamic: apply expects that and sets it static; rollback brings back the flag.
        #expect(apply.contains("@{ Mac = '00155D0A1005'; Dynamic = $true }"))
    }
}

enum PowerShellGrammar {
    static let available: Bool = (try? run(["-c", "import tree_sitter, tree_sitter_powershell"]).status) == 0

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let r = try Subprocess.run("python3", arguments)
        return (r.status, r.stdout + r.stderr)
    }
}
