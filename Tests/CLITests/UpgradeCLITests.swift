import Foundation
import GRDB
import Testing

/// A database written by the release before packed holders (schema v2, `Tests/Fixtures/db/
/// v2-sample.sql`) migrates on first open and every holder comes back as it was: the holder and
/// event listings are those that release printed, and the next night's audit is an ordinary one.
@Suite struct UpgradeCLITests {
    static func v2Database(_ name: String = #function) throws -> String {
        let path = "\(try CLI.temporaryDirectory(name))/pool.sqlite"
        let dump = try String(contentsOf: CLI.root.appendingPathComponent("Tests/Fixtures/db/v2-sample.sql"), encoding: .utf8)
        try DatabaseQueue(path: path).writeWithoutTransaction { try $0.execute(sql: dump) }
        return path
    }

    static func fixture(_ name: String) throws -> String {
        try String(contentsOf: CLI.root.appendingPathComponent("Tests/Fixtures/db/\(name)"), encoding: .utf8)
    }

    @Test func everyHolderOfAVersion2DatabaseComesBackAsItWas() throws {
        let db = try Self.v2Database()
        let holders = try CLI.run(["history", "--holder", "", "--format", "json", "--db", db])
        #expect(holders.status == 0, "\(holders.stderr)")
        #expect(holders.stdout == (try Self.fixture("v2-sample.holders.json")))
        #expect(try CLI.run(["history", "--events", "--format", "json", "--db", db]).stdout == (try Self.fixture("v2-sample.events.json")))
        #expect(try CLI.run(["pool", "reservations", "--pending", "--db", db]).stdout.split(separator: "\n").count == 3)
        #expect(try CLI.run(["baseline", "list", "--db", db]).stdout.contains("2bd19036ea20c944"))
    }

    /// The first command after the upgrade lists the runs it migrated (a reader opened before the
    /// migration once kept the old columns and failed), every one of them counted as reported.
    @Test func theFirstCommandAfterTheUpgradeListsTheRuns() throws {
        let db = try Self.v2Database()
        let runs = try CLI.run(["history", "--db", db])
        #expect(runs.status == 0, "\(runs.stderr)")
        #expect(runs.stdout.split(separator: "\n").count == 3, "\(runs.stdout)")
        #expect(!runs.stdout.contains("not written"))
    }

    @Test func theNightAfterTheUpgradeIsAnOrdinaryOne() throws {
        let db = try Self.v2Database()
        // The inputs of the fixture's last run: nothing new, nothing changes but last seen.
        let same = try CLI.run(["audit", "Captures/sample-cluster", "Tests/Fixtures/db/v2-inputs/night2", "--db", db, "--fail-on-new", "--format", "json"])
        #expect(same.status == 0, "\(same.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(same.stdout.utf8)) as? [String: Any])
        let database = try #require(report["database"] as? [String: Any])
        #expect((database["events"] as? [Any])?.isEmpty == true)
        // The migrated gone holder returns: its packed row is read back whole, label and all.
        let back = try CLI.run(["audit", "Captures/sample-cluster", "Tests/Fixtures/db/v2-inputs/night1", "--db", db])
        #expect(back.status == 1)
        let events = try CLI.run(["history", "--events", "--run", "5", "--db", db]).stdout
        #expect(events.contains("returned") && events.contains("adapter lab-old / Network Adapter on HCI-L01 (cluster lab)"), "\(events)")
        #expect(events.contains("gone") && events.contains("lab-new / Ethernet “uplink”"), "\(events)")
        let lab = try CLI.run(["history", "--holder", "lab-", "--db", db]).stdout
        #expect(lab.contains("Tests/Fixtures/db/v2-inputs/night1/lab/adapters-HCI-L01.json record 2"), "\(lab)")
    }
}
