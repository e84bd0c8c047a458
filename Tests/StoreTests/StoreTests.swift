import Foundation
import GRDB
import Testing
@testable import MACAudit
@testable import MACAuditStore

/// A new database file in its own temporary folder (tests run in parallel).
func freshStore(_ name: String = #function) throws -> SQLiteStore {
    let dir = FileManager.default.temporaryDirectory
        .appendingPathComponent("macaudit-store-\(name.filter { $0.isLetter })-\(UUID().uuidString)").path
    return try SQLiteStore(path: "\(dir)/pool.sqlite")
}

func mac(_ s: String) -> MACAddress { try! MACAddress(parsing: s) }
func range(_ a: String, _ b: String) -> MACRange { MACRange(mac(a), mac(b))! }

@Suite struct SchemaTests {
    @Test func aNewFileIsMigratedFromEmpty() throws {
        let store = try freshStore()
        let tables = try store.db.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") }
        #expect(Set(tables).isSuperset(of: ["pool", "poolRange", "freeRun", "assignment", "reservation", "run", "finding", "runFinding", "baseline"]))
        #expect(try store.integrityCheck() == "ok")
        let journal = try store.db.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(journal == "wal")
        let foreignKeys = try store.db.read { try Int.fetchOne($0, sql: "PRAGMA foreign_keys") }
        #expect(foreignKeys == 1)
        // Opening again migrates nothing and keeps the data.
        _ = try store.addPool(PoolSpec(name: "p", scope: .fleet, source: "test", ranges: [range("02-00-00-00-00-00", "02-00-00-00-00-FF")]), allowOverlap: false)
        let again = try SQLiteStore(path: store.path)
        #expect(try again.pools().map(\.spec.name) == ["p"])
    }

    @Test func aDatabaseFromANewerMacauditIsRefused() throws {
        let store = try freshStore()
        try store.db.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v9-from-the-future')") }
        #expect {
            _ = try SQLiteStore(path: store.path)
        } throws: { error in
            (error as? StoreError)?.message.contains("newer macaudit") == true
        }
    }

    @Test func theDefaultPathFollowsTheEnvironment() {
        #expect(SQLiteStore.defaultPath(environment: ["MACAUDIT_DB": "/x/p.sqlite"]) == "/x/p.sqlite")
        #expect(SQLiteStore.defaultPath(environment: ["XDG_DATA_HOME": "/data", "HOME": "/home/a"]) == "/data/macaudit/pool.sqlite")
        #expect(SQLiteStore.defaultPath(environment: ["HOME": "/home/a"]) == "/home/a/.local/share/macaudit/pool.sqlite")
    }
}

@Suite struct PoolTests {
    @Test func importingTheSamePoolTwiceChangesNothing() throws {
        let store = try freshStore()
        let spec = PoolSpec(name: "HV01 dynamic", scope: .host, host: "HV01", cluster: "C1", source: "vmhosts.json", kind: .hostDynamic,
                            ranges: [range("00155D010000", "00155D0100FF")])
        #expect(try store.addPool(spec, allowOverlap: false) == .added)
        #expect(try store.addPool(spec, allowOverlap: false) == .unchanged)
        #expect(try store.pools().count == 1)
        let rows = try store.db.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM poolRange") }
        #expect(rows == 1)
    }

    @Test func aSameNamedPoolWithOtherRangesIsRefused() throws {
        let store = try freshStore()
        _ = try store.addPool(PoolSpec(name: "p", scope: .fleet, source: "t", ranges: [range("02-00-00-00-00-00", "02-00-00-00-00-FF")]), allowOverlap: false)
        #expect(throws: StoreError.self) {
            try store.addPool(PoolSpec(name: "p", scope: .fleet, source: "t", ranges: [range("02-00-00-00-01-00", "02-00-00-00-01-FF")]), allowOverlap: false)
        }
    }

    @Test func overlapIsRefusedUnlessIntended() throws {
        let store = try freshStore()
        _ = try store.addPool(PoolSpec(name: "a", scope: .fleet, source: "t", ranges: [range("02-00-00-00-00-00", "02-00-00-00-00-FF")]), allowOverlap: false)
        let b = PoolSpec(name: "b", scope: .fleet, source: "t", ranges: [range("02-00-00-00-00-80", "02-00-00-00-01-7F")])
        #expect {
            try store.addPool(b, allowOverlap: false)
        } throws: { ($0 as? StoreError)?.message.contains("overlaps pool 'a'") == true }
        #expect(try store.addPool(b, allowOverlap: true) == .added)
    }

    @Test func groupBitAndOUICrossingAreRefused() throws {
        let store = try freshStore()
        #expect {
            try store.addPool(PoolSpec(name: "m", scope: .fleet, source: "t", ranges: [range("01-00-5E-00-00-00", "01-00-5E-00-00-FF")]), allowOverlap: true)
        } throws: { ($0 as? StoreError)?.message.contains("group") == true }
        #expect {
            try store.addPool(PoolSpec(name: "o", scope: .fleet, source: "t", ranges: [range("02-00-00-FF-FF-00", "02-00-01-00-00-FF")]), allowOverlap: false)
        } throws: { ($0 as? StoreError)?.message.contains("OUI") == true }
    }

    @Test func theSeedPlanGivesClustersTimesHostsRangesOf4096() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("macaudit-plan-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var yaml = "version: 1\nplans:\n  - name: seed\n    prefix: 02-1D-D8\n    clusters:\n"
        for c in 1...5 {
            yaml += "      C\(c):\n        byte: \(c)\n        hosts: {" + (0..<16).map { "N\($0): \($0)" }.joined(separator: ", ") + "}\n"
        }
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: "\(dir)/pools.yaml"))
        let store = try freshStore()
        let specs = try Rules.loadPools(file: "\(dir)/pools.yaml").map(PoolSpec.init)
        for spec in specs { #expect(try store.addPool(spec, allowOverlap: false) == .added) }
        let sizes = try store.db.read { try Int64.fetchAll($0, sql: "SELECT last - first + 1 FROM poolRange") }
        #expect(sizes.count == 5 * 16)
        #expect(sizes.allSatisfy { $0 == 4096 })
        for spec in specs { #expect(try store.addPool(spec, allowOverlap: false) == .unchanged) }
    }

    @Test func removingAPoolReleasesItsReservations() throws {
        let store = try freshStore()
        _ = try store.addPool(PoolSpec(name: "p", scope: .fleet, source: "t", ranges: [range("02-00-00-00-00-00", "02-00-00-00-00-0F")]), allowOverlap: false)
        _ = try store.reserveNext(inPool: "p", holder: "vm1")
        try store.removePool(named: "p")
        #expect(try store.pools().isEmpty)
        #expect(try store.reservations().map(\.state) == [.released])
    }
}

@Suite struct ReservationTests {
    func smallPool(_ name: String = #function) throws -> SQLiteStore {
        let store = try freshStore(name)
        _ = try store.addPool(PoolSpec(name: "p", scope: .fleet, source: "t", ranges: [range("02-00-00-00-00-00", "02-00-00-00-00-07")]), allowOverlap: false)
        return store
    }

    @Test func reservationsTakeTheLowestFreeMACAndSkipAssignedOnes() throws {
        let store = try freshStore()
        try store.db.write { db in
            for m in ["02-00-00-00-00-00", "02-00-00-00-00-02"] {
                try db.execute(sql: "INSERT INTO assignment (mac, holder, holderKind, firstSeen, lastSeen) VALUES (?, 'x', 'adapter', '', '')", arguments: [mac(m).stored])
            }
        }
        _ = try store.addPool(PoolSpec(name: "p", scope: .fleet, source: "t", ranges: [range("02-00-00-00-00-00", "02-00-00-00-00-07")]), allowOverlap: false)
        let got = try (0..<3).map { _ in try store.reserveNext(inPool: "p", holder: "vm")!.description }
        #expect(got == ["02-00-00-00-00-01", "02-00-00-00-00-03", "02-00-00-00-00-04"])
        let u = try store.utilisation(ofPool: "p")
        #expect(u == PoolUtilisation(size: 8, inUse: 2, reserved: 3, free: 3, largestFreeRun: 3, firstFree: mac("02-00-00-00-00-05")))
    }

    @Test func aFullPoolYieldsNoMAC() throws {
        let store = try smallPool()
        for _ in 0..<8 { #expect(try store.reserveNext(inPool: "p", holder: "vm") != nil) }
        #expect(try store.reserveNext(inPool: "p", holder: "vm") == nil)
        #expect(try store.utilisation(ofPool: "p").free == 0)
    }

    @Test func releasingMergesTheFreeRunsBack() throws {
        let store = try smallPool()
        let macs = try (0..<8).map { _ in try store.reserveNext(inPool: "p", holder: "vm")! }
        for m in [macs[3], macs[5], macs[4]] { #expect(try store.release(mac: m)) }
        #expect(try store.release(mac: macs[4]) == false)
        let runs = try store.db.read { try Row.fetchAll($0, sql: "SELECT first, last FROM freeRun").map { [$0[0] as Int64, $0[1] as Int64] } }
        #expect(runs == [[Int64(macs[3].value), Int64(macs[5].value)]])
        #expect(try store.reserveNext(inPool: "p", holder: "vm") == macs[3])
    }

    /// Free runs stay exactly the complement of the used MACs through random reservations and releases.
    @Test func freeRunsStayTheComplementOfUsedMACs() throws {
        let store = try freshStore()
        _ = try store.addPool(PoolSpec(name: "p", scope: .fleet, source: "t", ranges: [range("02-00-00-00-00-00", "02-00-00-00-00-3F")]), allowOverlap: false)
        var held: [MACAddress] = []
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            if !held.isEmpty && Bool.random(using: &rng) {
                let m = held.remove(at: Int.random(in: 0..<held.count, using: &rng))
                #expect(try store.release(mac: m))
            } else if let m = try store.reserveNext(inPool: "p", holder: "vm") {
                held.append(m)
            }
            let free = try store.db.read { db in
                try Row.fetchAll(db, sql: "SELECT first, last FROM freeRun ORDER BY first").flatMap { ($0[0] as Int64)...($0[1] as Int64) }
            }
            let used = Set(held.map { Int64($0.value) })
            let base = Int64(mac("02-00-00-00-00-00").value)
            #expect(free == (base...(base + 63)).filter { !used.contains($0) })
        }
    }
}

@Suite struct HistoryTests {
    func finding(_ check: String, _ m: String, cluster: String = "C1") -> Finding {
        Finding(check: check, severity: .error, mac: m, message: "\(check) \(m)", subjects: [Subject(kind: "adapter", cluster: cluster, host: "HV01", vm: "A")], evidence: [])
    }

    func record(_ store: SQLiteStore, _ findings: [Finding], clusters: Set<String> = ["C1"], at: Date = Date()) throws -> RunOutcome {
        try store.record(audit: AuditRecord(at: at, inputsDigest: "d", inputCount: 1, clusters: clusters,
                                            holders: [(mac("00155D010101"), "adapter A", "adapter", "HV01", "C1", "a.json")], findings: findings))
    }

    @Test func findingsAreNewThenPersistingThenResolved() throws {
        let store = try freshStore()
        let a = finding("duplicate-mac", "00-15-5D-01-01-01"), b = finding("group-bit", "01-15-5D-01-01-01")
        let first = try record(store, [a, b])
        #expect(first.history[a.id]?.status == .new)
        let second = try record(store, [a])
        #expect(second.history[a.id]?.status == .persisting)
        #expect(second.history[a.id]?.firstRunId == first.runId)
        #expect(second.resolved.map(\.fingerprint) == [b.id])
        let diff = try store.difference(from: first.runId, to: second.runId)
        #expect(diff.disappeared.map(\.fingerprint) == [b.id])
        #expect(diff.appeared.isEmpty && diff.persisted == 1)
        let third = try record(store, [a, b])
        #expect(third.history[b.id]?.status == .new)  // it came back
        #expect(try store.runs().count == 3)
        let assignments = try store.db.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM assignment") }
        #expect(assignments == 1)
    }

    @Test func aRunOfOneClusterDoesNotResolveAnothersFindings() throws {
        let store = try freshStore()
        let east = finding("duplicate-mac", "00-15-5D-01-01-01", cluster: "east")
        _ = try record(store, [east], clusters: ["east", "west"])
        let westOnly = try record(store, [], clusters: ["west"])
        #expect(westOnly.resolved.isEmpty)
    }

    @Test func acceptedFindingsAreReportedAsAcceptedUntilTheyExpire() throws {
        let store = try freshStore()
        let nlb = finding("reserved-prefix", "02-BF-0A-00-00-05")
        let now = Date()
        try store.accept(BaselineEntry(id: nlb.id, reason: "NLB cluster MAC", acceptedBy: "ops", acceptedAt: now, expires: now.addingTimeInterval(86_400)))
        #expect(try record(store, [nlb], at: now).history[nlb.id]?.status == .accepted)
        #expect(try record(store, [nlb], at: now.addingTimeInterval(2 * 86_400)).history[nlb.id]?.status == .persisting)
        #expect(try store.revoke(fingerprint: nlb.id))
        #expect(try store.baseline().isEmpty)
    }
}
