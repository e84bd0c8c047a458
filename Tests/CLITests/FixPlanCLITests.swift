import Foundation
import Testing
import TestSupport

/// `pool suggest` and `audit --plan --verify` from the binary, as an admin runs them.
@Suite struct FixPlanCLITests {
    /// A copy of the shipped rules, to write `pools.yaml` into.
    static func rules(_ dir: String) throws -> String {
        let rules = "\(dir)/rules"
        try FileManager.default.copyItem(atPath: CLI.root.appendingPathComponent("rules").path, toPath: rules)
        return rules
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func poolSuggestWritesAPlanThatTheAuditReadsAndThatAnotherSuggestKeeps() throws {
        let dir = try CLI.temporaryDirectory(), rules = try Self.rules(dir)
        let first = try CLI.run(["pool", "suggest", "Captures/sample-cluster", "--rules", rules, "-o", "\(rules)/pools.yaml"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("adds host HCI-N03 of cluster sample-cluster (nibble 2)"))
        let written = try String(contentsOfFile: "\(rules)/pools.yaml", encoding: .utf8)
        #expect(written.contains("prefix: 02-00-00") && written.contains("\"HCI-N01\": 0"))
        // Run again with the written file as the rules: nothing to add, the same file.
        let second = try CLI.run(["pool", "suggest", "Captures/sample-cluster", "--rules", rules])
        #expect(second.status == 0 && second.stdout == written)
        #expect(second.stderr.contains("every host already has a range"))
        // The audit reads it: no out-of-pool for NC-pool or own-range MACs, the moves come from it.
        let audit = try CLI.run(["audit", "Captures/sample-cluster", "--rules", rules, "--plan", "--verify", "--format", "json"])
        #expect(audit.status == 1)
        let report = try Self.json(audit.stdout)
        let findings = try #require(report["findings"] as? [[String: Any]])
        let outOfPool = findings.filter { $0["check"] as? String == "out-of-pool" && $0["severity"] as? String != "info" }.compactMap { ($0["subjects"] as? [[String: Any]])?.first?["vm"] as? String }
        for good in ["web01", "sql01", "app02", "SDNEXP-GW01"] { #expect(!outOfPool.contains(good), "\(good) is inside its NC pool or Static in the NC (info at most)") }
        #expect(report["suggestedPlan"] == nil, "the plan is in the rules now")
        let verification = try #require(report["verification"] as? [String: Any])
        #expect((verification["remaining"] as? [Any])?.isEmpty == true && (verification["introduced"] as? [Any])?.isEmpty == true)
        let proposals = try #require(report["proposals"] as? [[String: Any]])
        #expect(proposals.contains { ($0["pool"] as? String)?.hasPrefix("seed/sample-cluster/") == true })
        // With the plan defined, the mismatch still adopts the controller's MAC.
        let app01 = try #require(proposals.first { ($0["subject"] as? [String: Any])?["vm"] as? String == "app01" })
        #expect(app01["to"] as? String == "00-1D-D8-B7-1C-14" && app01["pool"] == nil)
    }

    @Test func theJSONReportCarriesEveryKindOfFix() throws {
        let r = try CLI.run(["audit", "Captures/sample-cluster", "--plan", "--verify", "--format", "json"])
        #expect(r.status == 1)
        let report = try Self.json(r.stdout)
        let findings = try #require(report["findings"] as? [[String: Any]])
        let errors = Set(findings.filter { ["error", "critical"].contains($0["severity"] as? String) }.compactMap { $0["id"] as? String })
        var answered = Set<String>()
        for key in ["proposals", "repairs", "poolChanges"] {
            for fix in try #require(report[key] as? [[String: Any]]) { answered.formUnion(fix["resolves"] as? [String] ?? []) }
        }
        for u in try #require(report["unplaced"] as? [[String: Any]]) {
            answered.insert(u["finding"] as? String ?? "")
            #expect(!(u["reason"] as? String ?? "").isEmpty)
        }
        #expect(errors.count == 9 && errors.isSubset(of: answered), "unanswered: \(errors.subtracting(answered))")
        let changes = try #require(report["poolChanges"] as? [[String: Any]])
        #expect(changes.map { $0["host"] as? String } == ["HCI-N01", "HCI-N03"])
        #expect((changes.first?["to"] as? [String: String])?["last"] == "02-00-00-00-07-FF")
        let plan = try #require(report["suggestedPlan"] as? [String: Any])
        #expect((plan["poolsUsed"] as? [String])?.count == 3)
    }

    @Test func anAdminsMistakesStopPoolSuggestBeforeItWrites() throws {
        let dir = try CLI.temporaryDirectory(), rules = try Self.rules(dir)
        let out = "\(rules)/pools.yaml"
        let before = try String(contentsOfFile: out, encoding: .utf8)
        let typo = try CLI.run(["pool", "suggest", "Captures/sample-clustr", "--rules", rules, "-o", out])
        #expect(typo.status == 2 && typo.stderr.contains("sample-clustr"))
        let universal = try CLI.run(["pool", "suggest", "Captures/sample-cluster", "--rules", rules, "--prefix", "00-15-5D", "-o", out])
        #expect(universal.status != 0 && universal.stderr.contains("AAI quadrant"))
        let multicast = try CLI.run(["pool", "suggest", "Captures/sample-cluster", "--rules", rules, "--prefix", "03-00-00", "-o", out])
        #expect(multicast.status != 0 && multicast.stderr.contains("group"))
        #expect(try String(contentsOfFile: out, encoding: .utf8) == before, "nothing written")
        let chosen = try CLI.run(["pool", "suggest", "Captures/sample-cluster", "--rules", rules, "--prefix", "12-AB-CD"])
        #expect(chosen.status == 0 && chosen.stdout.contains("prefix: 12-AB-CD"))
    }

    /// A scripts folder that cannot be made (here under /proc, which passes a writability check as
    /// root) stops the run with the folder and the system's reason, before the report is written.
    @Test func aScriptsFolderThatCannotBeMadeWritesNoReport() throws {
        let dir = try CLI.temporaryDirectory()
        let r = try CLI.run(["audit", "Captures/sample-cluster", "--plan", "--scripts", "/proc/macaudit-none/scripts", "-o", "\(dir)/report.txt"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("/proc/macaudit-none/scripts: the scripts cannot be written: "), "\(r.stderr)")
        #expect(!r.stderr.contains("The operation could not be completed"), "the system's reason, not Foundation's")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/report.txt"), "no report for a plan whose scripts are missing")
    }

    /// Yesterday's plan touched a host today's does not: its apply script stays (its rollback may
    /// be needed) and is named in a warning; a file macaudit did not write is not.
    @Test func anEarlierPlansApplyScriptIsNamedNotDeleted() throws {
        let dir = try CLI.temporaryDirectory()
        let scripts = "\(dir)/scripts"
        #expect(try CLI.run(["audit", "Captures/sample-cluster", "--plan", "--scripts", scripts]).status == 1)
        let earlier = try String(contentsOfFile: "\(scripts)/apply-HCI-N01.ps1", encoding: .utf8)
        try Data(earlier.utf8).write(to: URL(fileURLWithPath: "\(scripts)/apply-HCI-N07.ps1"))
        try Data("Write-Host 'mine'\n".utf8).write(to: URL(fileURLWithPath: "\(scripts)/apply-mine.ps1"))
        let r = try CLI.run(["audit", "Captures/sample-cluster", "--plan", "--scripts", scripts])
        #expect(r.status == 1)
        #expect(r.stderr.contains("warning: \(scripts)/apply-HCI-N07.ps1 is an earlier plan's (generated "), "\(r.stderr)")
        #expect(r.stderr.contains("delete it before running apply-*.ps1"))
        #expect(!r.stderr.contains("apply-HCI-N01.ps1") && !r.stderr.contains("apply-mine.ps1"), "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: "\(scripts)/apply-HCI-N07.ps1"))
    }

    @Test func theVerifiedPlanIsReservedInThePoolDatabaseAndTheRerunReusesIt() throws {
        let dir = try CLI.temporaryDirectory()
        let db = "\(dir)/pool.sqlite"
        let first = try CLI.run(["audit", "Captures/sample-cluster", "--db", db, "--plan", "--verify", "--format", "json"])
        #expect(first.status == 1, "\(first.stderr)")
        let second = try CLI.run(["audit", "Captures/sample-cluster", "--db", db, "--plan", "--verify", "--format", "json"])
        func moves(_ r: CLI.Result) throws -> [String: String] {
            let proposals = try #require(try Self.json(r.stdout)["proposals"] as? [[String: Any]])
            return Dictionary(uniqueKeysWithValues: proposals.map { (($0["subject"] as? [String: Any])?["vm"] as? String ?? "", $0["to"] as? String ?? "") })
        }
        #expect(try moves(first) == moves(second), "a rerun gets the MACs the first run reserved")
        let verification = try #require(try Self.json(second.stdout)["verification"] as? [String: Any])
        #expect((verification["introduced"] as? [Any])?.isEmpty == true, "\(verification)")
        let reservations = try CLI.run(["pool", "reservations", "--db", db])
        #expect(reservations.stdout.contains("02-00-00-00-08-00"), "vrrp01's new MAC is reserved")
    }
}

/// `macaudit mac`: everything known about one address.
@Suite struct MacCommandCLITests {
    static func adapters(_ rows: [(vm: String, mac: String)]) -> String {
        let items = rows.enumerated().map { i, r in
            """
            {"ComputerName": "HV01", "VMName": "\(r.vm)", "Name": "Network Adapter", "Id": "Microsoft:0C3A9E6B-0000-4000-8000-00000000000\(i)\\\\2F1E3D4C-5B6A-4789-8A7B-6C5D4E3F2A1\(i)",
             "VMId": "0c3a9e6b-0000-4000-8000-00000000000\(i)", "MacAddress": "\(r.mac)", "DynamicMacAddressEnabled": false, "SwitchName": "S"}
            """
        }
        return "[" + items.joined(separator: ",\n") + "]\n"
    }

    @Test func aMACThatMovedBetweenVMsShowsBothHoldersInOrder() throws {
        let dir = try CLI.temporaryDirectory()
        let db = "\(dir)/pool.sqlite"
        for (night, rows) in [("night1", [("alpha", "00155D010203"), ("beta", "00155D010204")]),
                              ("night2", [("alpha", "00155D0102AA"), ("beta", "00155D010203")])] {
            try FileManager.default.createDirectory(atPath: "\(dir)/\(night)/lab", withIntermediateDirectories: true)
            try Data(Self.adapters(rows.map { (vm: $0.0, mac: $0.1) }).utf8).write(to: URL(fileURLWithPath: "\(dir)/\(night)/lab/adapters.json"))
            let r = try CLI.run(["audit", "\(dir)/\(night)/lab", "--db", db, "--fail-on", "critical"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let r = try CLI.run(["mac", "00:15:5d:01:02:03", "--db", db, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let about = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]]).first
        let holders = try #require(about?["holders"] as? [[String: Any]])
        #expect(holders.compactMap { $0["vm"] as? String } == ["alpha", "beta"], "alpha held it first, beta now")
        #expect(about?["mac"] as? String == "00-15-5D-01-02-03")
        #expect((about?["spellings"] as? [String: String])?["cisco"] == "0015.5d01.0203")
        let text = try CLI.run(["mac", "00155D010203", "--db", db])
        #expect(text.stdout.contains("alpha") && text.stdout.contains("beta"))
        #expect(try CLI.run(["mac", "00-15-5D-01-02-0"]).status == 2, "malformed")
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/share/ieee-data/oui.csv")))
    func theRegistryNamesVendorsAndAnUnknownMACExitsOne() throws {
        let ms = try CLI.run(["mac", "00-15-5D-0A-14-07"])
        #expect(ms.status == 0 && ms.stdout.contains("Microsoft Corporation"))
        let unknown = try CLI.run(["mac", "A8-3D-7E-5C-19-F2"])
        #expect(unknown.status == 1 && unknown.stdout.contains("no registry assigns this block"))
        let local = try CLI.run(["mac", "--oui-data", "/usr/share/ieee-data", "02-1D-D8-00-00-10"])
        #expect(local.stdout.contains("SLAP quadrant AAI"))
        // A multicast group is IANA's, whose block is 00-00-5E: not a made-up address.
        let group = try CLI.run(["mac", "--oui-data", "/usr/share/ieee-data", "01-00-5E-00-00-FB", "--json"])
        #expect(group.status == 0, "\(group.stderr)")
        let entry = try #require(try JSONSerialization.jsonObject(with: Data(group.stdout.utf8)) as? [[String: Any]]).first?["registry"] as? [String: Any]
        #expect((entry?["vendor"] as? String)?.contains("IANA") == true, "\(group.stdout)")
        #expect(entry?["groupOfBlock"] as? Bool == true && entry?["block"] as? String == "00-00-5E-00-00-00/24")
        // Every report says which registry it used.
        let report = try CLI.run(["audit", "Captures/sample-cluster", "--format", "json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])
        let source = ((json["registry"] as? [String: Any])?["source"] as? String) ?? ""
        #expect(source.contains("ieee-data") || source.contains("manuf"), "the newer of ieee-data and manuf: \(source)")
        let p2v = (json["findings"] as? [[String: Any]])?.first { $0["check"] as? String == "foreign-oui" }
        #expect(p2v?["vendor"] as? String == "Intel Corporate")
        let missing = try CLI.run(["audit", "Captures/sample-cluster", "--oui-data", "/nonexistent"])
        #expect(missing.status == 2 && missing.stderr.contains("/nonexistent"))
    }
}
