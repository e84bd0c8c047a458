import Foundation
import Testing
@testable import MACAudit
@testable import MACAuditModel
@testable import MACAuditIngest
@testable import MACAuditEngine
@testable import MACAuditReport

@Suite struct ReportTests {
    static let fixed = Date(timeIntervalSince1970: 1_795_000_000)

    func sampleReport() throws -> AuditReport {
        try Audit.run(paths: [Repo.path("Captures/sample-cluster")], rules: try Repo.rules, now: Self.fixed)
    }

    /// The faults planted in Captures/sample-cluster (see Captures/make-sample-cluster.py), and
    /// nothing else at error level or above.
    @Test func theSampleClusterShowsExactlyItsPlantedFaults() throws {
        let report = try sampleReport()
        let errors = report.findings.filter { $0.severity >= .error }.map { "\($0.check) \($0.macText ?? "")" }
        #expect(errors.sorted() == [
            "duplicate-mac 02-1D-D8-00-00-10",
            "dynamic-mac-on-sdn 00-1D-D8-B7-1C-16",
            "group-bit 01-15-5D-0A-30-01",
            "invalid-mac 001523be0c",
            "mac-mismatch 00-1D-D8-B7-1C-13",
            "out-of-pool 00-1D-D8-B7-00-01",
            "pool-overlap 00-15-5D-0A-10-00",
            "port-profile-mismatch 00-1D-D8-B7-1C-15",
            "reserved-prefix 00-00-5E-00-01-0A",
        ])
        let warnings = report.findings.filter { $0.severity == .warning }.map { "\($0.check) \($0.macText ?? "")" }
        #expect(warnings.sorted() == [
            "foreign-pool-dynamic 00-15-5D-0A-10-05",
            "nc-orphan 00-1D-D8-B7-1C-20",
            "unmanaged-adapter 00-15-5D-0A-10-10",
        ])
        #expect(report.inputs.count == 10)
        #expect(Set(report.inputs.map(\.encoding)) == ["UTF-8", "UTF-8 with BOM", "UTF-16LE"])
    }

    @Test func jsonFollowsSchemaVersionOne() throws {
        let text = try JSONReport.render(try sampleReport())
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["schema"] as? String == "macaudit.report/1")
        #expect(object["generatedAt"] as? String == "2026-11-18T11:06:40Z")
        #expect(Set(object.keys).isSuperset(of: ["schema", "generatedAt", "inputs", "summary", "findings", "proposals"]))
        let summary = try #require(object["summary"] as? [String: Int])
        #expect(summary == ["critical": 0, "error": 9, "warning": 3, "info": 1])
        let findings = try #require(object["findings"] as? [[String: Any]])
        let first = try #require(findings.first)
        #expect(Set(first.keys).isSuperset(of: ["id", "check", "severity", "mac", "message", "subjects", "evidence"]))
        let evidence = try #require((first["evidence"] as? [[String: String]])?.first)
        #expect(evidence["source"]?.hasSuffix(".json") == true)
        #expect(evidence["at"]?.hasPrefix("record ") == true)
        let input = try #require((object["inputs"] as? [[String: Any]])?.first)
        #expect(Set(input.keys).isSuperset(of: ["path", "kind", "records"]))
    }

    @Test func theSameInputsGiveAByteIdenticalReport() throws {
        #expect(try JSONReport.render(try sampleReport()) == JSONReport.render(try sampleReport()))
    }

    @Test func findingIdsAreStableFingerprints() throws {
        let a = try sampleReport().findings.map(\.id), b = try sampleReport().findings.map(\.id)
        #expect(a == b)
        #expect(Set(a).count == a.count)
    }

    @Test func textGroupsWorstFirstWithoutColourUnlessAsked() throws {
        let text = TextReport.render(try sampleReport(), colour: false)
        let error = try #require(text.range(of: "ERROR (9)")), warning = try #require(text.range(of: "WARNING (3)"))
        #expect(error.lowerBound < warning.lowerBound)
        #expect(!text.contains("\u{1B}["))
        #expect(TextReport.render(try sampleReport(), colour: true).contains("\u{1B}["))
    }

    @Test func exitCodeFollowsFailOn() throws {
        let report = try sampleReport()
        #expect(report.exitCode(failOn: .error) == 1)
        #expect(report.exitCode(failOn: .critical) == 0)
    }

    @Test func atomicWriteReplacesTheWholeFileAndLeavesNoTemporaries() throws {
        let dir = try temporaryDirectory()
        try AtomicFile.write("old\n", to: "\(dir)/report.json")
        try AtomicFile.write("new\n", to: "\(dir)/report.json")
        #expect(try String(contentsOfFile: "\(dir)/report.json", encoding: .utf8) == "new\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["report.json"])
        #expect(throws: AtomicFileError.self) { try AtomicFile.write("x", to: "\(dir)/missing/report.json") }
    }

    /// While a report is streamed, and when it stops half-way, the folder holds only the old report:
    /// the file being written has no name (a run killed at that moment leaves nothing behind).
    @Test func aReportBeingWrittenHasNoNameInTheFolder() throws {
        let dir = try temporaryDirectory()
        try AtomicFile.write("old\n", to: "\(dir)/report.json")
        var seen: [String] = []
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try AtomicFile.write(to: "\(dir)/report.json") { sink in
                sink.append(String(repeating: "x", count: 3 << 20))
                try sink.flushIfFull()
                seen = try FileManager.default.contentsOfDirectory(atPath: dir)
                throw Stop()
            }
        }
        #expect(seen == ["report.json"], "named while being written: \(seen)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["report.json"])
        #expect(try String(contentsOfFile: "\(dir)/report.json", encoding: .utf8) == "old\n")
        try AtomicFile.write(to: "\(dir)/report.json") { $0.append("new\n") }
        #expect(try String(contentsOfFile: "\(dir)/report.json", encoding: .utf8) == "new\n")
        var info = stat()
        #expect(stat("\(dir)/report.json", &info) == 0 && info.st_mode & 0o777 == 0o644)
    }
}

@Suite struct TerminalSafeTextTests {
    @Test func controlsAreShownAndEverythingElseIsLeftAsItIs() {
        #expect("web01".terminalSafe == "web01")
        #expect("Ünïcødé ✓ adapter:microsoft:abc\\def".terminalSafe == "Ünïcødé ✓ adapter:microsoft:abc\\def")
        #expect("a\tb\nc\rd".terminalSafe == "a\\tb\\nc\\rd")
        #expect("\u{1B}[2Jx\u{7F}\u{9B}1m".terminalSafe == "\\u{1B}[2Jx\\u{7F}\\u{9B}1m")
        #expect("evil\u{202E}gpj.exe".terminalSafe == "evil\\u{202E}gpj.exe")
        #expect("\u{0}".terminalSafe == "\\u{0}")
        #expect("line 2:\n  key: [\n\t^\u{1B}[2J\r".terminalSafe(keepingLines: true) == "line 2:\n  key: [\n\t^\\u{1B}[2J\\r")
    }
}

@Suite struct OtherFormatTests {
    static func hostileReport() -> AuditReport {
        let name = "evil, \"vm\"\n=cmd|' /C calc'!A0 <script>"
        let inventory = Inventory(adapters: [Example.vm(name, "00155D010101"), Example.vm("B", "00155D010101")],
                                  pools: [Example.hostPool("HV01", "00155D010100", "00155D010103")])
        return Audit.run(inventory: inventory, rules: Rules(), now: Date(timeIntervalSince1970: 1_795_000_000))
    }

    @Test func csvHasOneRowPerFindingAndSubjectQuotedPerRFC4180() throws {
        let csv = CSVReport.render(Self.hostileReport())
        #expect(csv.hasPrefix("id,check,severity,status,mac,message,"))
        #expect(csv.hasSuffix("\r\n"))
        // The duplicate has two subjects: two rows, and the hostile name is one quoted field.
        #expect(csv.components(separatedBy: "duplicate-mac").count - 1 == 2)
        #expect(csv.contains("\"evil, \"\"vm\"\"\n=cmd|' /C calc'!A0 <script>\""))
        func cell(_ text: String) -> String { ReportSink.collect { CSVReport.field(text, into: &$0) } }
        #expect(cell("=1+1") == "'=1+1")
        #expect(cell("plain") == "plain")
        #expect(cell("-a,\"b\"") == "\"'-a,\"\"b\"\"\"")
        #expect(cell("ü\r\n") == "\"ü\r\n\"")
    }

    @Test func metricsFollowTheTextfileFormat() {
        let text = PrometheusMetrics.render(Self.hostileReport())
        #expect(text.contains("macaudit_findings{cluster=\"C1\",check=\"duplicate-mac\",severity=\"critical\"} 1"))
        #expect(text.contains("macaudit_pool_free{cluster=\"C1\",pool=\"HV01 dynamic\"} 3"))
        #expect(text.contains("macaudit_last_run_timestamp_seconds 1795000000"))
        #expect(PrometheusMetrics.label("a\"b\\c\nd") == "a\\\"b\\\\c\\nd")
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let value = line.split(separator: " ").last.map(String.init) ?? ""
            #expect(Int(value) != nil, "\(line)")
            #expect(line.hasPrefix("macaudit_"), "\(line)")
        }
    }

    @Test func markdownEscapesWhatCameFromTheInputs() {
        let md = MarkdownReport.render(Self.hostileReport())
        #expect(!md.contains("<script>"))
        #expect(md.contains("&lt;script&gt;"))
        #expect(md.contains("\\|"))
        #expect(md.contains("## Pools (nearest exhaustion first)"))
    }
}

@Suite struct HTMLPageTests {
    @Test func countsAreGroupedByThousands() {
        #expect([0, 999, 1_000, 25_000, 1_234_567, -1_234].map(\.grouped) == ["0", "999", "1,000", "25,000", "1,234,567", "-1,234"])
    }

    @Test func sha256MatchesTheStandardsVectors() {
        func hex(_ s: String) -> String { SHA256.digest(Array(s.utf8)).map { String(format: "%02x", $0) }.joined() }
        #expect(hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex(String(repeating: "a", count: 1000)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
        #expect(SHA256.base64(Array("any carnal pleas".utf8)) == "YW55IGNhcm5hbCBwbGVhcw==")
    }

    @Test func theDataBlockCannotBeClosedByAnInputAndReadsBack() throws {
        var json = ScriptJSON()
        let hostile = "</script><!-- \u{2028}\u{2029} & \"quoted\" \\ \u{1}"
        json.strings([hostile])
        #expect(!json.text.contains("<") && !json.text.contains(">") && !json.text.contains("&"))
        let back = try JSONSerialization.jsonObject(with: Data(json.text.utf8)) as? [String]
        #expect(back == [hostile])
    }

    @Test func theHTMLPageIsSelfContainedAndEscapesInputs() {
        let report = OtherFormatTests.hostileReport()
        let html = HTMLReport.render(report)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        // Two script elements, the data block and the page's own script, which the CSP names by hash.
        #expect(html.components(separatedBy: "<script").count == 3 && html.components(separatedBy: "</script>").count == 3)
        #expect(html.contains("<script>(function () {"))
        #expect(html.contains("script-src 'sha256-"))
        #expect(html.contains("\\u003cscript\\u003e"), "markup in the data block is escaped")
        #expect(html.contains("&lt;script&gt;"))
        #expect(html.contains("evil, &quot;vm&quot;"))
        // No external assets: nothing is fetched from anywhere.
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains(" src=") && !html.contains("<link"))
        #expect(html.contains("<svg"))
    }
}
