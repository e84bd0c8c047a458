import Foundation
import GRDB
import Testing
@testable import MACAudit
@testable import MACAuditEngine
import MACAuditStore

/// A database written by the release before holder keys migrates forward on first open and keeps
/// what it knew: runs, findings (under their new ids), the baseline, pools and reservations.
@Suite struct MigrationTests {
    /// A new database file with the contents of `Tests/Fixtures/db/v1-sample.sql`.
    static func v1Database(_ label: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("macaudit-migration-\(label.filter { $0.isLetter })-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = "\(dir)/pool.sqlite"
        let dump = try String(contentsOfFile: Repo.path("Tests/Fixtures/db/v1-sample.sql"), encoding: .utf8)
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { try $0.execute(sql: dump) }
        return path
    }

    @Test func aVersion1DatabaseKeepsItsHistoryAcrossTheUpgrade() throws {
        let store = try SQLiteStore(path: try Self.v1Database(#function), create: false)
        #expect(try store.integrityCheck() == "ok")
        #expect(try store.runs().map(\.id) == [1, 2])
        #expect(try store.pools().count == 4)
        #expect(try store.baseline().map(\.id) == ["0c1b545190429ee0"])
        let reservations = try store.reservations(holder: nil)
        #expect(reservations.count == 3)
        #expect(reservations.allSatisfy { $0.holder.hasPrefix("adapter:microsoft:") && $0.state == .pending && $0.label?.hasPrefix("Microsoft:") == true })

        let rules = try Rules.load(directory: Repo.rules)
        let report = try Audit.run(paths: [Repo.path("Captures/sample-cluster")], rules: rules, store: store, baseline: [])
        // Nothing is new: a nightly --fail-on-new stays quiet across the upgrade.
        #expect(report.findings.count == 13)
        #expect(report.findings.allSatisfy { report.status(of: $0)?.label == "persisting" || report.status(of: $0)?.label == "accepted" })
        #expect(report.exitCode(failOn: .error, onlyNew: true) == 0)
        #expect(report.resolved.isEmpty)
        // The accepted finding is accepted under its new id, first seen in run 1 like every other.
        let accepted = try #require(report.findings.first { report.status(of: $0)?.accepted != nil })
        #expect(accepted.legacyId == "0c1b545190429ee0")
        #expect(try store.baseline().map(\.id) == [accepted.id])
        #expect(report.findings.allSatisfy { report.status(of: $0)?.history?.firstRunId == 1 })
        #expect(try store.finding(fingerprint: "0c1b545190429ee0") == nil)
        #expect(try store.finding(fingerprint: accepted.id)?.firstRunId == 1)
        // Every label-keyed row of v1 is given its holder's key by the audit that sees it.
        let tally = try #require(report.recorded?.tally)
        #expect(tally.rekeyed == 16)
        #expect(try store.assignments(matching: "legacy:").isEmpty)
        #expect(try store.integrityCheck() == "ok")
        // And the next night is an ordinary one.
        let next = try Audit.run(paths: [Repo.path("Captures/sample-cluster")], rules: rules, store: store, baseline: [])
        #expect(next.recorded?.events.isEmpty == true)
        #expect(next.findings.map(\.id) == report.findings.map(\.id))
    }

    /// The state check rewritten for speed (v4) still refuses what the old one refused, and an
    /// audit recorded without SQLite's per-row parent lookups leaves no dangling reference.
    @Test func anAssignmentStateOutsideTheThreeIsStillRefused() throws {
        let path = try Self.v1Database(#function)
        let store = try SQLiteStore(path: path, create: false)
        _ = try Audit.run(paths: [Repo.path("Captures/sample-cluster")], rules: try Rules.load(directory: Repo.rules), store: store, baseline: [])
        #expect(try store.integrityCheck() == "ok")
        let queue = try DatabaseQueue(path: path)
        let states = try queue.read { try String.fetchAll($0, sql: "SELECT DISTINCT state FROM assignment ORDER BY state") }
        #expect(states == ["gone", "live"] || states == ["live"])
        #expect(throws: DatabaseError.self) {
            try queue.write { try $0.execute(sql: "UPDATE assignment SET state = 'lost' WHERE id = (SELECT MIN(id) FROM assignment)") }
        }
        #expect(throws: DatabaseError.self) {
            try queue.write { try $0.execute(sql: "UPDATE assignment SET state = NULL WHERE id = (SELECT MIN(id) FROM assignment)") }
        }
    }

    @Test func aVersion1RowNoAuditSeesAgainIsGoneOnceItsHostIsRead() throws {
        let store = try SQLiteStore(path: try Self.v1Database(#function), create: false)
        // The sample with HCI-N03's VMs replaced by a new one: their v1 rows are never re-keyed, and
        // the audit read N03's adapter export, so they are gone (their MACs held for the grace period).
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("macaudit-migration-n03-\(UUID().uuidString)/sample-cluster").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: Repo.path("Captures/sample-cluster")) {
            let target = "\(dir)/\(name)"
            if name == "adapters-HCI-N03.json" {
                try Data(#"[{"MacAddress":"021DD8770001","VMName":"newcomer","ComputerName":"HCI-N03","SwitchName":"S"}]"#.utf8)
                    .write(to: URL(fileURLWithPath: target))
                continue
            }
            try FileManager.default.copyItem(atPath: Repo.path("Captures/sample-cluster/\(name)"), toPath: target)
        }
        let report = try Audit.run(paths: [dir], rules: try Rules.load(directory: Repo.rules), store: store, baseline: [])
        let gone = report.holderEvents.filter { $0.kind == .gone }
        #expect(!gone.isEmpty)
        #expect(gone.allSatisfy { $0.holder.hasPrefix("legacy:") && $0.label.contains("HCI-N03") }, "\(gone.map(\.description))")
    }
}
