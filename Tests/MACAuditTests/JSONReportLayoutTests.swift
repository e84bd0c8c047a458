import Foundation
import Testing
@testable import MACAudit
@testable import MACAuditModel
@testable import MACAuditIngest
@testable import MACAuditEngine
@testable import MACAuditReport

/// The JSON report is streamed by hand-written writers; its bytes must be exactly what Foundation's
/// `JSONEncoder` (sorted keys, pretty printed, slashes unescaped) makes of the same values, the
/// layout every earlier report had.
@Suite struct JSONReportLayoutTests {
    static let fixed = Date(timeIntervalSince1970: 1_795_000_000)

    static func foundation(_ report: AuditReport, captureOnly: Bool = false) throws -> String {
        String(decoding: try JSON.encoder().encode(JSONReport.document(report, captureOnly: captureOnly)), as: UTF8.self) + "\n"
    }

    /// Where two texts first differ, by line, for the failure message.
    static func firstDifference(_ a: String, _ b: String) -> String {
        let x = a.split(separator: "\n", omittingEmptySubsequences: false), y = b.split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<max(x.count, y.count) where i >= x.count || i >= y.count || x[i] != y[i] {
            return "line \(i + 1): streamed «\(i < x.count ? String(x[i]) : "(end)")» Foundation «\(i < y.count ? String(y[i]) : "(end)")»"
        }
        return "none"
    }

    @Test func theSampleWithItsPlanIsWrittenAsFoundationWritesIt() throws {
        let report = try Audit.run(paths: [Repo.path("Captures/sample-cluster")], rules: try Repo.rules, store: nil, baseline: [],
                                   plan: true, verify: true, now: Self.fixed)
        #expect(report.plan?.proposals.isEmpty == false && !report.findings.isEmpty)
        let streamed = try JSONReport.render(report)
        let expected = try Self.foundation(report)
        #expect(streamed == expected, "\(Self.firstDifference(streamed, expected))")
    }

    /// Stations with and without VLAN, VNI, IPs, providers and a DHCP host name with control characters.
    @Test func aCaptureReportIsWrittenAsFoundationWritesIt() throws {
        let vm = FrameBuilder.mac("02-1D-D8-00-00-01")
        let wire = FrameBuilder.snapshot([
            FrameBuilder.arp(sender: vm, senderIP: "10.0.0.5", targetIP: "10.0.0.1", vlans: [12]),
            FrameBuilder.dhcp(client: FrameBuilder.mac("02-1D-D8-00-00-02"), op: 1, type: 3, requested: "10.0.0.9", hostName: "ho\"st\\\u{1}/é"),
            FrameBuilder.vxlan(outerSource: FrameBuilder.mac("02-00-0A-0A-00-01"), providerSource: "10.10.0.1", providerDestination: "10.10.0.2", vni: 5001,
                               inner: FrameBuilder.arp(sender: vm, senderIP: "192.168.1.5", targetIP: "192.168.1.1")),
            FrameBuilder.neighbour(advertisement: true, ethernetSource: vm, from: "fe80::1", target: "2001:db8::5", linkLayer: vm),
        ])
        let report = Audit.run(capture: wire, rules: try Repo.rules, now: Self.fixed)
        #expect(report.wire?.table.stations.count ?? 0 >= 3)
        let streamed = try JSONReport.render(report, captureOnly: true), expected = try Self.foundation(report, captureOnly: true)
        #expect(streamed == expected, "\(Self.firstDifference(streamed, expected))")
    }

    /// Thousands of findings (the report passes the sink's 1 MiB chunk several times) whose names
    /// hold every character JSON escapes, quotes, backslashes, slashes and non-ASCII text.
    @Test func manyFindingsWithHostileNamesAreWrittenAsFoundationWritesThem() throws {
        let dir = try temporaryDirectory()
        var rows: [String] = []
        for i in 0..<6_000 {
            let name = "vm\(i) \"q\" \\ / \u{7}\t\n\u{2028} ü 😀 </script>"
            let escaped = name.unicodeScalars.map { $0.value < 0x20 || $0 == "\"" || $0 == "\\" ? String(format: "\\u%04x", $0.value) : String($0) }.joined()
            rows.append("{\"ComputerName\":\"H\(i % 3)\",\"VMName\":\"\(escaped)\",\"Name\":\"nic\",\"MacAddress\":\"\(String(format: "02AA%08X", i / 2))\",\"DynamicMacAddressEnabled\":false}")
        }
        try write("[" + rows.joined(separator: ",\n") + "]", to: "\(dir)/adapters.json")
        let report = try Audit.run(paths: [dir], rules: try Repo.rules, now: Self.fixed)
        #expect(report.findings.count >= 3_000)
        let streamed = try JSONReport.render(report)
        #expect(streamed.utf8.count > 3 << 20)
        let expected = try Self.foundation(report)
        #expect(streamed == expected, "\(Self.firstDifference(streamed, expected))")
        #expect(streamed.contains("\\\"q\\\" \\\\ / \\u0007\\t\\n\u{2028} ü 😀 </script>"))
    }
}

/// The packed-key sort of findings gives exactly the report order.
@Suite struct FindingOrderTests {
    @Test func thePackedSortGivesTheReportOrder() throws {
        let sample = try Audit.run(paths: [Repo.path("Captures/sample-cluster")], rules: try Repo.rules, now: JSONReportLayoutTests.fixed)
        // Ties on severity, check and MAC (a duplicate's holders), invalid and absent MACs among them.
        var findings = sample.findings
        for f in sample.findings { findings.append(Finding(check: f.check, severity: f.severity, mac: f.mac, message: "again", subjects: [Subject(kind: "zz")], evidence: [])) }
        findings.append(Finding(check: .invalidMAC, severity: .error, mac: MACField(parsing: "zz"), message: "x", subjects: [], evidence: []))
        findings.append(Finding(check: .invalidMAC, severity: .error, mac: .absent, message: "y", subjects: [], evidence: []))
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5 {
            let shuffled = findings.shuffled(using: &generator)
            #expect(CheckRegistry.reportOrdered(shuffled) == shuffled.sorted(by: Finding.reportOrder))
        }
    }
}
