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
