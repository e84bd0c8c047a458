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
/// JSON value tree per record and reviewed by hand; it is an oracle independent of the byte-level
/// decoder that replaced it, so the test never writes it. An intended change of what is decoded is
/// an edit of the golden file, by hand, in the same commit (the diff is the review).
///
/// A second, differential oracle: every fixture read again with each string spelled through JSON
/// escapes (`"\u0041"` for `A`), which takes every decoder off its fast paths (plain strings, MACs
/// and GUIDs read from the bytes, member names compared a word at a time) onto the general ones.
/// Both readings must give the same inventory.
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
        let expected = try String(contentsOfFile: golden, encoding: .utf8)
        let got = text.split(separator: "\n", omittingEmptySubsequences: false)
        let want = expected.split(separator: "\n", omittingEmptySubsequences: false)
        for (i, (g, w)) in zip(got, want).enumerated() where g != w {
            Issue.record("line \(i + 1) differs:\n  got:  \(g)\n  want: \(w)")
            break
        }
        #expect(got.count == want.count)
    }

    @Test(arguments: folders) func theGeneralPathsReadWhatTheFastPathsRead(_ folder: String) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Repo.path(folder)).filter { $0.hasSuffix(".json") }.sorted()
        #expect(!names.isEmpty)
        for name in names {
            let path = "\(Repo.path(folder))/\(name)"
            let fast = try ExportFile.read(path: path, cluster: "C")
            let (utf8, _) = try TextEncoding.decode(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
            let escaped = Self.escapingEveryStringLetter(utf8)
            #expect(escaped != utf8, "\(name): nothing was escaped")
            let general = try ExportFile.read(bytes: escaped, path: path, cluster: "C")
            let a = Self.render(fast.inventory), b = Self.render(general.inventory)
            #expect(a.count == b.count, "\(name): \(a.count) records on the fast paths, \(b.count) on the general ones")
            for (x, y) in zip(a, b) where x != y {
                Issue.record("\(name) differs:\n  fast:    \(x)\n  general: \(y)")
                break
            }
            #expect(fast.warnings.map(\.message) == general.warnings.map(\.message))
        }
    }

    /// The same JSON text with every ASCII letter inside a string (member names and values)
    /// written as a `\uXXXX` escape. Structure, numbers, literals and line breaks are untouched,
    /// so records and lines stay where they were.
    static func escapingEveryStringLetter(_ text: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count * 3)
        var inString = false, escaping = false, hexLeft = 0
        for b in text {
            if !inString {
                if b == UInt8(ascii: "\"") { inString = true }
                out.append(b)
            } else if hexLeft > 0 {
                hexLeft -= 1  // the four digits of an escape already there
                out.append(b)
            } else if escaping {
                escaping = false
                if b == UInt8(ascii: "u") { hexLeft = 4 }
                out.append(b)
            } else if b == UInt8(ascii: "\\") {
                escaping = true
                out.append(b)
            } else if b == UInt8(ascii: "\"") {
                inString = false
                out.append(b)
            } else if (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A {
                out += Array(String(format: "\\u%04X", b).utf8)
            } else {
                out.append(b)
            }
        }
        return out
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
