import Foundation
import Testing
import TestSupport

/// Where a test's pool database lives: an SQLite file in its folder, or a new database on the
/// PostgreSQL server the tests start. Every audit of a test is its own process.
enum DatabaseKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres

    var testDescription: String { rawValue }

    func fresh(_ dir: String, _ label: String) throws -> String {
        switch self {
        case .sqlite: return "\(dir)/pool.sqlite"
        case .postgres:
            let server = try PostgresServer.shared.get()
            return server.url(try server.createDatabase(label))
        }
    }
}

/// The pool database as the fleet's record of holders, through the binary: sites audited on their
/// own schedules meet in it; migrations, deletions and late exports keep it true.
@Suite struct HolderDatabaseCLITests {
    /// One `Get-VMNetworkAdapter` record of a VM with a static MAC.
    struct VM {
        var name: String
        var mac: String
        var host: String
        /// Distinguishes the VM's GUID (and its adapter's).
        var n: Int

        var json: String {
            let vmId = String(format: "%08X-1111-4111-8111-%012X", n, n)
            return #"{"MacAddress":"\#(mac)","VMName":"\#(name)","VMId":"\#(vmId)","Id":"Microsoft:\#(vmId)\\\#(String(format: "%08X", n))-0000-4000-8000-000000000001","Name":"Network Adapter","ComputerName":"\#(host)","SwitchName":"S","DynamicMacAddressEnabled":false}"#
        }
    }

    /// Writes each host's adapter export (`adapters-HOST.json`) of `cluster` under `root`; a host
    /// given no VMs gets an empty export.
    static func export(_ root: String, cluster: String, _ hosts: [String: [VM]]) throws -> String {
        let folder = "\(root)/\(cluster)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (host, vms) in hosts {
            try Data("[\(vms.map(\.json).joined(separator: ","))]".utf8).write(to: URL(fileURLWithPath: "\(folder)/adapters-\(host).json"))
        }
        return folder
    }

    static func audit(_ folder: String, _ db: String, _ extra: [String] = []) throws -> (status: Int32, report: [String: Any]) {
        let r = try CLI.run(["audit", folder, "--db", db, "--format", "json"] + extra)
        #expect(r.status != 2, "\(r.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        return (r.status, report)
    }

    static func findings(_ report: [String: Any], _ check: String) -> [[String: Any]] {
        (report["findings"] as? [[String: Any]] ?? []).filter { $0["check"] as? String == check }
    }

    static func events(_ report: [String: Any]) -> [String] {
        ((report["database"] as? [String: Any])?["events"] as? [[String: Any]] ?? []).map { "\($0["event"] ?? "") \($0["label"] ?? "")" }
    }

    /// The assignments `history --holder` lists for `text`: `MAC state` per line.
    static func assignments(_ db: String, _ text: String) throws -> [String] {
        let r = try CLI.run(["history", "--holder", text, "--db", db])
        return r.stdout.split(separator: "\n").map { $0.split(separator: "\t").map { $0.trimmingCharacters(in: .whitespaces) } }
            .filter { $0.count > 1 && $0[0].wholeMatch(of: /[0-9A-F]{2}(-[0-9A-F]{2}){5}/) != nil }
            .map { "\($0[0]) \($0[1])" }
    }

    @Test(arguments: DatabaseKind.allCases) func twoSitesAuditedApartMeetInTheDatabase(_ kind: DatabaseKind) throws {
        let dir = try CLI.temporaryDirectory()
        let db = try kind.fresh(dir, #function)
        let siteA = try Self.export("\(dir)/a", cluster: "site-a", ["A-N01": [VM(name: "web1", mac: "02AA00000001", host: "A-N01", n: 1)]])
        let siteB = try Self.export("\(dir)/b", cluster: "site-b", ["B-N01": [VM(name: "db9", mac: "02AA00000001", host: "B-N01", n: 2)]])
        let first = try Self.audit(siteA, db)
        #expect(Self.findings(first.report, "duplicate-mac").isEmpty)

        let second = try Self.audit(siteB, db)
        let duplicate = try #require(Self.findings(second.report, "duplicate-mac").first)
        let subjects = (duplicate["subjects"] as? [[String: Any]] ?? []).compactMap { $0["vm"] as? String }
        #expect(subjects.sorted() == ["db9", "web1"])
        let evidence = (duplicate["evidence"] as? [[String: Any]] ?? []).compactMap { $0["source"] as? String }
        #expect(evidence.contains { $0.hasPrefix("pool database: run 1 (") && $0.hasSuffix("cluster site-a, \(siteA)/adapters-A-N01.json") }, "\(evidence)")
        #expect((second.report["database"] as? [String: Any])?["holders"] as? Int == 1)
        // Both holders are kept, each under its own key.
        #expect(try Self.assignments(db, "web1") == ["02-AA-00-00-00-01 live"])
        #expect(try Self.assignments(db, "db9") == ["02-AA-00-00-00-01 live"])
        // Site A's next night sees site B's holder the same way; its plan moves its own VM only.
        let nightA = try Self.audit(siteA, db, ["--plan"])
        #expect(Self.findings(nightA.report, "duplicate-mac").count == 1)
        let moved = (nightA.report["proposals"] as? [[String: Any]] ?? []).map { ($0["subject"] as? [String: Any])?["vm"] as? String }
        let unplaced = (nightA.report["unplaced"] as? [[String: Any]] ?? []).map { ($0["subject"] as? [String: Any])?["vm"] as? String }
        #expect(moved + unplaced == ["web1"], "moved \(moved), unplaced \(unplaced)")
        // Site B gives db9 another MAC: its next audit resolves the duplicate it reported.
        _ = try Self.export("\(dir)/b", cluster: "site-b", ["B-N01": [VM(name: "db9", mac: "02AA00000099", host: "B-N01", n: 2)]])
        let fixed = try Self.audit(siteB, db)
        #expect(Self.findings(fixed.report, "duplicate-mac").isEmpty)
        #expect((fixed.report["resolved"] as? [[String: Any]] ?? []).contains { $0["check"] as? String == "duplicate-mac" })
        #expect(Self.events(fixed.report) == ["mac-changed adapter db9 / Network Adapter on B-N01 (cluster site-b)"])
    }

    /// The database files a holder under its export's absolute path: an audit naming the folder
    /// relatively from its parent, another naming it absolutely from elsewhere, and a third through
    /// a symbolic link all read the same place, the holder has one row all along, and history
    /// gives the three runs one inputs digest.
    @Test(arguments: DatabaseKind.allCases) func oneFolderNamedThreeWaysIsOnePlace(_ kind: DatabaseKind) throws {
        let dir = try CLI.temporaryDirectory()
        let db = try kind.fresh(dir, #function)
        let folder = try Self.export(dir, cluster: "site-a", ["A-N01": [VM(name: "web1", mac: "02AA00000001", host: "A-N01", n: 1)]])
        let stored = URL(fileURLWithPath: folder).resolvingSymlinksInPath().path + "/adapters-A-N01.json"
        try FileManager.default.createSymbolicLink(atPath: "\(dir)/current", withDestinationPath: folder)
        func rows() throws -> [[String: Any]] {
            try #require(try JSONSerialization.jsonObject(with: Data(try CLI.run(["history", "--holder", "web1", "--db", db, "--format", "json"]).stdout.utf8)) as? [[String: Any]])
        }
        let relative = try CLI.run(["audit", "site-a", "--db", db, "--format", "json"], directory: dir)
        #expect(relative.status != 2, "\(relative.stderr)")
        #expect(try rows().map { $0["source"] as? String } == [stored])
        for (run, named) in [(2, folder), (3, "\(dir)/current")] {
            let r = try CLI.run(["audit", named, "--db", db, "--format", "json"])
            #expect(r.status != 2, "\(r.stderr)")
            let after = try rows()
            #expect(after.map { $0["source"] as? String } == [stored])
            #expect(after.map { $0["lastRun"] as? Int } == [run])
            #expect(after.map { $0["state"] as? String } == ["live"])
        }
        // History says the three runs read the same inputs.
        let runs = try #require(try JSONSerialization.jsonObject(with: Data(try CLI.run(["history", "--db", db, "--format", "json"]).stdout.utf8)) as? [[String: Any]])
        #expect(runs.count == 3)
        #expect(Set(runs.compactMap { $0["inputsDigest"] as? String }).count == 1, "\(runs)")
    }

    /// The mistakes of a first week: a cluster name mistyped once, then right; a report that
    /// cannot be written. The holder stays one holder, and a failed run changes nothing.
    @Test(arguments: DatabaseKind.allCases) func aMistypedClusterThenTheRightOneIsOneHolder(_ kind: DatabaseKind) throws {
        let dir = try CLI.temporaryDirectory()
        let db = try kind.fresh(dir, #function)
        let folder = try Self.export(dir, cluster: "site-a", ["A-N01": [VM(name: "web1", mac: "02AA00000001", host: "A-N01", n: 1)]])
        _ = try Self.audit(folder, db, ["--cluster", "site-aa"])
        let right = try Self.audit(folder, db)
        #expect(Self.findings(right.report, "duplicate-mac").isEmpty)
        #expect((right.report["database"] as? [String: Any])?["holders"] as? Int == 0)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(try CLI.run(["history", "--holder", "web1", "--db", db, "--format", "json"]).stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 1)
        #expect(rows.first?["label"] as? String == "adapter web1 / Network Adapter on A-N01 (cluster site-a)")
        #expect(rows.first?["lastRun"] as? Int == 2)
        // A run whose report cannot be written records nothing: recorded, it would make web1 gone
        // (the host's export no longer lists it).
        try Data("[]".utf8).write(to: URL(fileURLWithPath: "\(folder)/adapters-A-N01.json"))
        let failed = try CLI.run(["audit", folder, "--db", db, "--output", "\(dir)/missing/report.txt"])
        #expect(failed.status == 2 && failed.stderr.contains("cannot be written"), "\(failed.stderr)")
        #expect(try Self.assignments(db, "web1") == ["02-AA-00-00-00-01 live"])
        #expect(try CLI.run(["history", "--db", db]).stdout.split(separator: "\n").count == 2)
        // The same run with a report it can write does make web1 gone.
        _ = try Self.audit(folder, db)
        #expect(try Self.assignments(db, "web1") == ["02-AA-00-00-00-01 gone"])
    }

    @Test(arguments: DatabaseKind.allCases) func aVMThatMigratesBetweenHostsIsOneHolderAndKeepsItsReservation(_ kind: DatabaseKind) throws {
        let dir = try CLI.temporaryDirectory()
        let db = try kind.fresh(dir, #function)
        #expect(try CLI.run(["pool", "init", "--db", db]).status == 0)
        #expect(try CLI.run(["pool", "add", "tenant", "02-1D-D8-00-00-00", "02-1D-D8-00-00-FF", "--scope", "cluster", "--cluster", "site", "--db", db]).status == 0)
        // app1 and app2 share a MAC: the plan moves one of them and reserves its new MAC.
        let app1 = VM(name: "app1", mac: "021DD8000010", host: "N01", n: 1), app2 = VM(name: "app2", mac: "021DD8000010", host: "N02", n: 2)
        let folder = try Self.export(dir, cluster: "site", ["N01": [app1], "N02": [app2]])
        let planned = try Self.audit(folder, db, ["--plan"])
        let proposal = try #require((planned.report["proposals"] as? [[String: Any]])?.first)
        let mover = try #require((proposal["subject"] as? [String: Any])?["vm"] as? String)
        let reservations = try CLI.run(["pool", "reservations", "--pending", "--db", db]).stdout
        #expect(reservations.split(separator: "\n").count == 1)

        // The mover is live-migrated to N03 before anyone applies the plan.
        var hosts: [String: [VM]] = ["N01": [], "N02": [], "N03": []]
        for vm in [app1, app2] {
            var moved = vm
            if vm.name == mover { moved.host = "N03" }
            hosts[moved.host, default: []].append(moved)
        }
        let after = try Self.audit(try Self.export(dir, cluster: "site", hosts), db, ["--plan"])
        #expect(Self.events(after.report).contains { $0.hasPrefix("moved adapter \(mover) ") }, "\(Self.events(after.report))")
        #expect(!Self.events(after.report).contains { $0.hasPrefix("gone") })
        #expect(try Self.assignments(db, mover) == ["02-1D-D8-00-00-10 live"])
        let duplicates = Self.findings(after.report, "duplicate-mac")
        #expect(duplicates.count == 1)
        #expect((duplicates.first?["status"] as? String) == "persisting")
        #expect(try CLI.run(["pool", "reservations", "--pending", "--db", db]).stdout == reservations)
    }

    @Test(arguments: DatabaseKind.allCases) func aDeletedVMIsGoneThenItsMACIsFreeAfterTheGracePeriod(_ kind: DatabaseKind) throws {
        let dir = try CLI.temporaryDirectory()
        let db = try kind.fresh(dir, #function)
        #expect(try CLI.run(["pool", "init", "--db", db]).status == 0)
        #expect(try CLI.run(["pool", "add", "tenant", "02-1D-D8-00-00-00", "02-1D-D8-00-00-07", "--db", db]).status == 0)
        let keep = VM(name: "keep", mac: "021DD8000001", host: "N01", n: 1), doomed = VM(name: "doomed", mac: "021DD8000002", host: "N01", n: 2)
        _ = try Self.audit(try Self.export(dir, cluster: "site", ["N01": [keep, doomed]]), db)
        func show() throws -> String { try CLI.run(["pool", "show", "tenant", "--db", db]).stdout }
        #expect(try show().contains("in use          2"))

        // The VM is deleted: the host's export no longer lists it. Its MAC is held for the grace period.
        let folder = try Self.export(dir, cluster: "site", ["N01": [keep]])
        let gone = try Self.audit(folder, db)
        #expect(Self.events(gone.report) == ["gone adapter doomed / Network Adapter on N01 (cluster site)"])
        #expect(try Self.assignments(db, "doomed") == ["02-1D-D8-00-00-02 gone"])
        #expect(try show().contains("in use          1"))
        #expect(try show().contains("gone, in grace  1"))
        #expect(try show().contains("next free       02-1D-D8-00-00-00"))
        #expect(try CLI.run(["pool", "reserve", "tenant", "--holder", "x", "--count", "7", "--db", db]).status != 0, "the gone MAC is not free yet")

        // With no grace period left, the next audit releases it.
        let released = try Self.audit(folder, db, ["--release-after", "0"])
        #expect(Self.events(released.report) == ["released adapter doomed / Network Adapter on N01 (cluster site)"])
        #expect(try Self.assignments(db, "doomed") == ["02-1D-D8-00-00-02 released"])
        #expect(try show().contains("gone, in grace  0"))
        #expect(try show().contains("free            7 (87.5%)"))
    }

    @Test(arguments: DatabaseKind.allCases) func aHostWhoseExportIsMissingKeepsItsVMsLive(_ kind: DatabaseKind) throws {
        let dir = try CLI.temporaryDirectory()
        let db = try kind.fresh(dir, #function)
        // late1 on N02 holds a VRRP MAC: a finding that must persist while N02's export is late.
        let folder = try Self.export(dir, cluster: "site", ["N01": [VM(name: "web", mac: "02AA00000001", host: "N01", n: 1)],
                                                            "N02": [VM(name: "late1", mac: "00005E00010A", host: "N02", n: 2)]])
        let first = try Self.audit(folder, db)
        let vrrp = try #require(Self.findings(first.report, "reserved-prefix").first?["id"] as? String)
        try FileManager.default.removeItem(atPath: "\(folder)/adapters-N02.json")
        let late = try Self.audit(folder, db, ["--fail-on-new"])
        #expect(late.status == 0)
        #expect(Self.events(late.report).isEmpty)
        #expect((late.report["database"] as? [String: Any])?["holders"] as? Int == 1)
        let persisting = Self.findings(late.report, "reserved-prefix")
        #expect(persisting.map { $0["id"] as? String } == [vrrp])
        #expect(persisting.first?["status"] as? String == "persisting")
        #expect((late.report["resolved"] as? [Any])?.isEmpty == true)
        #expect(try Self.assignments(db, "late1") == ["00-00-5E-00-01-0A live"])
    }

    @Test(arguments: DatabaseKind.allCases) func theSameInputsTwiceChangeNothingButLastSeen(_ kind: DatabaseKind) throws {
        let dir = try CLI.temporaryDirectory()
        let db = try kind.fresh(dir, #function)
        let first = try Self.audit("Captures/sample-cluster", db)
        let before = try CLI.run(["history", "--holder", "", "--db", db]).stdout
        let second = try Self.audit("Captures/sample-cluster", db)
        #expect(Self.events(first.report).isEmpty)
        #expect(Self.events(second.report).isEmpty)
        #expect((second.report["database"] as? [String: Any])?["holders"] as? Int == 0)
        let after = try CLI.run(["history", "--holder", "", "--db", db]).stdout
        func withoutLastSeen(_ text: String) -> String {
            text.replacingOccurrences(of: #"last \S+ \(run \d+\)"#, with: "last …", options: .regularExpression)
        }
        #expect(withoutLastSeen(after) == withoutLastSeen(before))
        #expect(after.contains("(run 2)") && !after.contains("(run 1)"))
        #expect(try CLI.run(["history", "--events", "--db", db]).stdout.isEmpty)
        #expect(try CLI.run(["history", "--events", "--run", "2", "--db", db]).status == 0)
        // A run the database never had is a typo, not a quiet run.
        let typo = try CLI.run(["history", "--events", "--run", "20", "--db", db])
        #expect(typo.status == 2)
        #expect(typo.stderr.contains("no run 20 in the database"), "\(typo.stderr)")
    }

    @Test(arguments: DatabaseKind.allCases) func aReservedMACUsedByAnotherVMIsAReservationConflict(_ kind: DatabaseKind) throws {
        let dir = try CLI.temporaryDirectory()
        let db = try kind.fresh(dir, #function)
        #expect(try CLI.run(["pool", "init", "--db", db]).status == 0)
        #expect(try CLI.run(["pool", "add", "tenant", "02-1D-D8-00-00-00", "02-1D-D8-00-00-FF", "--scope", "cluster", "--cluster", "site", "--db", db]).status == 0)
        let a = VM(name: "a", mac: "021DD8000010", host: "N01", n: 1), b = VM(name: "b", mac: "021DD8000010", host: "N01", n: 2)
        let planned = try Self.audit(try Self.export(dir, cluster: "site", ["N01": [a, b]]), db, ["--plan"])
        let to = try #require((planned.report["proposals"] as? [[String: Any]])?.first?["to"] as? String)
        // Before the plan is applied, an admin gives a new VM the planned MAC by hand.
        let intruder = VM(name: "handmade", mac: to.replacingOccurrences(of: "-", with: ""), host: "N01", n: 3)
        let after = try Self.audit(try Self.export(dir, cluster: "site", ["N01": [a, b, intruder]]), db)
        let conflict = try #require(Self.findings(after.report, "reservation-conflict").first)
        #expect(conflict["mac"] as? String == to)
        #expect(conflict["severity"] as? String == "error")
        #expect((conflict["subjects"] as? [[String: Any]] ?? []).contains { $0["vm"] as? String == "handmade" })
        #expect((conflict["message"] as? String ?? "").contains("is reserved by run 1 for adapter "))
        #expect(after.status == 1)
        // Stale plans: listed, and released on request.
        #expect(try CLI.run(["pool", "reservations", "--stale", "0", "--db", db]).stdout.split(separator: "\n").count == 1)
        let released = try CLI.run(["pool", "release", "--stale", "0", "--db", db])
        #expect(released.stdout.hasSuffix("1 stale reservation(s) released\n"), "\(released.stdout)")
        #expect(Self.findings(try Self.audit(try Self.export(dir, cluster: "site", ["N01": [a, b, intruder]]), db).report, "reservation-conflict").isEmpty)
    }

    @Test func aMistypedInputPathTouchesNoDatabase() throws {
        let dir = try CLI.temporaryDirectory()
        let db = "\(dir)/new/pool.sqlite"
        let r = try CLI.run(["audit", "Captures/sample-clustr", "--db", db])
        #expect(r.status == 2)
        #expect(r.stderr.contains("Captures/sample-clustr: does not exist"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: db) && !FileManager.default.fileExists(atPath: "\(dir)/new"))
    }
}
