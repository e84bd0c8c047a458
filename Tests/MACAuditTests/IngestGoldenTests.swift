import Foundation
import Testing
@testable import MACAudit
@testable import MACAuditModel
@testable import MACAuditIngest
@testable import MACAuditEngine
@testable import MACAuditReport

/// Every field of every record the decoders build from the sample cluster, the real NC exports
/// (UTF-8 and Windows PowerShell's UTF-16) and `Tests/Fixtures/shapes` (case variants, escaped and
/// duplicate member names, flattened columns, values cut by `-Depth`, odd types), compared with
/// `Tests/Fixtures/shapes/inventory.golden`. The golden file was written by the decoder that built a
/// JSON value tree per record; the byte-level decoder that replaced it must read the same.
/// To re-record after an intended change: `MACAUDIT_RECORD_GOLDEN=1 swift test --filter IngestGolden`.
@Suite struct IngestGoldenTests {
    static let folders = ["Captures/sample-cluster", "Tests/Fixtures/shapes", "Tests/Fixtures/nc/nc-hnvclient-2016-rest-utf8",
                          "Tests/Fixtures/nc/nc-sdndiagnostics-2021-real-ps51-utf16le", "Tests/Fixtures/nc/nc-sdndiagnostics-2026-mock-utf8"]

    @Test func decodedInventoryMatchesTheGoldenFile() throws {
        var lines: [String] = []
        for folder in Self.folders {
            let names = try FileManager.default.contentsOfDirectory(atPath: Repo.path(folder)).filter { $0.hasSuffix(".json") }.sorted()
            for name in names {
                let result = try ExportFile.read(path: "\(Repo.path(folder))/\(name)", cluster: "C")
                lines.append("## \(folder)/\(name): \(result.summary.kind), \(result.summary.records) records, \(result.summary.encoding)")
                lines += result.warnings.map { "warning: \($0.message)" }
                lines += Self.render(result.inventory)
            }
        }
        let text = lines.joined(separator: "\n") + "\n"
        let golden = Repo.path("Tests/Fixtures/shapes/inventory.golden")
        if ProcessInfo.processInfo.environment["MACAUDIT_RECORD_GOLDEN"] != nil {
            try text.write(toFile: golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOfFile: golden, encoding: .utf8)
        let got = text.split(separator: "\n", omittingEmptySubsequences: false)
        let want = expected.split(separator: "\n", omittingEmptySubsequences: false)
        for (i, (g, w)) in zip(got, want).enumerated() where g != w {
            Issue.record("line \(i + 1) differs:\n  got:  \(g)\n  want: \(w)")
            break
        }
        #expect(got.count == want.count)
    }

    /// One line per record with every field, sources included.
    static func render(_ inventory: Inventory) -> [String] {
        func s(_ v: Any?) -> String { v.map { "\($0)" } ?? "nil" }
        func at(_ l: MACAudit.SourceLocation) -> String { "@\(l.record):\(l.line)" }
        var out: [String] = []
        for a in inventory.adapters {
            out.append("adapter \(at(a.source)) host=\(s(a.host)) cluster=\(a.cluster) vm=\(s(a.vmName)) vmId=\(s(a.vmId)) name=\(a.name) id=\(s(a.id)) mac=\(a.mac) dynamic=\(s(a.dynamicMAC)) mgmt=\(a.isManagementOS) switch=\(s(a.switchName)) switchId=\(s(a.switchId)) vlan=\(s(a.vlan)) vsid=\(s(a.virtualSubnetId)) ips=\(a.ipAddresses) running=\(s(a.running))")
        }
        for p in inventory.portProfiles {
            out.append("profile \(at(p.source)) host=\(s(p.host)) vm=\(p.vmName) adapter=\(p.adapterName) mac=\(p.mac) profileId=\(s(p.profileId)) data=\(s(p.profileData))")
        }
        for i in inventory.interfaces {
            out.append("interface \(at(i.source)) id=\(i.resourceId) instance=\(s(i.instanceId)) mac=\(i.mac) allocation=\(i.allocation) hostVNIC=\(i.isHostVNIC) ips=\(i.ipAddresses) subnet=\(s(i.subnetRef)) server=\(s(i.serverId))")
        }
        for p in inventory.pools { out.append("pool \(at(p.source)) \(p.name) \(p.range) \(p.kind) host=\(s(p.host)) cluster=\(s(p.cluster))") }
        for v in inventory.servers { out.append("server \(at(v.source)) \(v.resourceId) \(v.managementAddresses)") }
        for n in inventory.subnets { out.append("subnet \(n.ref) vlan=\(s(n.vlan)) vsid=\(s(n.virtualSubnetId))") }
        return out
    }
}
