import Foundation
import GRDB
import Testing
@testable import MACAudit
@testable import MACAuditModel
@testable import MACAuditIngest
@testable import MACAuditEngine
@testable import MACAuditReport
@testable import MACAuditStore

/// A new database file in its own temporary folder (tests run in parallel).
func freshStore(_ name: String = #function) throws -> SQLiteStore {
    let dir = FileManager.default.temporaryDirectory
        .appendingPathComponent("macaudit-store-\(name.filter { $0.isLetter })-\(UUID().uuidString)").path
    return try SQLiteStore(path: "\(dir)/pool.sqlite")
}


/// What only the SQLite store has: its file, its pragmas, its migrations and its free-run table.
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
            (error as? StoreError) == .newerSchema(location: store.path)
        }
    }

    @Test func theDefaultPathFollowsTheEnvironment() {
        #expect(SQLiteStore.defaultPath(environment: ["MACAUDIT_DB": "/x/p.sqlite"]) == "/x/p.sqlite")
        #expect(SQLiteStore.defaultPath(environment: ["XDG_DATA_HOME": "/data", "HOME": "/home/a"]) == "/data/macaudit/pool.sqlite")
        #expect(SQLiteStore.defaultPath(environment: ["HOME": "/home/a"]) == "/home/a/.local/share/macaudit/pool.sqlite")
    }
}

@Suite struct SQLiteFreeRunTests {
    func smallPool(_ name: String = #function) throws -> SQLiteStore {
        let store = try freshStore(name)
        _ = try store.addPool(PoolSpec(name: "p", scope: .fleet, source: "t", ranges: [range("02-00-00-00-00-00", "02-00-00-00-00-07")]), allowOverlap: false)
        return store
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

extension SchemaTests {
    /// An audit's new holders come off the free runs all at once, after its inserts; what is left
    /// is still each range minus what is used, whatever the holders' MACs: inside a run, at its
    /// ends, already reserved, listed twice, outside every pool, in two overlapping pools.
    @Test func anAuditsHoldersLeaveTheFreeRunsTheComplementOfUsedMACs() throws {
        let store = try freshStore()
        _ = try store.addPool(PoolSpec(name: "p", scope: .fleet, source: "t", ranges: [range("02-00-00-00-00-00", "02-00-00-00-00-3F")]), allowOverlap: false)
        _ = try store.addPool(PoolSpec(name: "q", scope: .fleet, source: "t", ranges: [range("02-00-00-00-00-30", "02-00-00-00-00-4F")]), allowOverlap: true)
        let reserved = try (0..<6).map { _ in try store.reserveNext(inPool: "p", holder: "planned")! }
        #expect(try store.release(mac: reserved[2]))
        let base = Int64(mac("02-00-00-00-00-00").value)
        func name(_ offset: Int64) -> String { MACAddress(value: UInt64(base + offset))!.description }
        var used = Set(reserved.map { Int64($0.value) }).subtracting([Int64(reserved[2].value)])
        var rng = SystemRandomNumberGenerator()
        for round in 0..<4 {
            var offsets: [Int64] = round == 0 ? [0, 2, 6, 7, 0x2F, 0x30, 0x3F, 0x40, 0x4F, 0x50, 7] : []
            while offsets.count < 30 { offsets.append(Int64.random(in: 0...0x55, using: &rng)) }
            _ = try store.record(audit: audit(holding: offsets.map(name)), findings: { [] })
            used.formUnion(offsets.map { base + $0 })
            let free = try store.db.read { db in
                try Row.fetchAll(db, sql: "SELECT r.first, r.last, f.first, f.last FROM freeRun f JOIN poolRange r ON r.id = f.rangeId ORDER BY r.first, f.first")
            }
            for (first, last) in [(base, base + 0x3F), (base + 0x30, base + 0x4F)] {
                let left = free.filter { $0[0] == first && $0[1] == last }.flatMap { ($0[2] as Int64)...($0[3] as Int64) }
                #expect(left == (first...last).filter { !used.contains($0) }, "round \(round), range \(name(first - base))")
            }
        }
        #expect(try store.integrityCheck() == "ok")
    }
}

extension SchemaTests {
    /// Which of a run's MACs some row holds, for MACs interleaved with the recorded ones, lying in
    /// stretches apart from them, repeated, below and above them all: exactly the intersection.
    @Test func theRecordedMACsAmongARunsAreExactlyThoseSomeRowHolds() throws {
        let store = try freshStore()
        var rng = SystemRandomNumberGenerator()
        var recorded = Set((0..<600).map { Int64($0 * 2) })                       // every even MAC up to 1,198
        recorded.formUnion((0..<300).map { _ in Int64.random(in: 5_000...9_000, using: &rng) })
        recorded.formUnion(20_000...20_050)
        try store.db.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            for mac in recorded {
                try db.execute(sql: "INSERT INTO assignment (mac, keyHash, placeId, state, digest, holder) VALUES (?, 1, 1, 'live', 0, x'01')",
                               arguments: [mac])
            }
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        for round in 0..<20 {
            var run = (0..<400).map { _ in Int64.random(in: 0...25_000, using: &rng) }
            run += (0..<200).map { _ in Int64.random(in: 0...1_300, using: &rng) } + [-5, 0, 1_198, 20_050, 30_000, 30_000]
            if round == 0 { run = Array(0...1_300) }
            let found = try store.db.read { db in
                var macs = try RecordedMACs(db, location: store.path)
                return try macs.among(run)
            }
            #expect(found == recorded.intersection(run), "round \(round)")
        }
    }
}

@Suite struct SQLiteErrorTests {
    /// A database fault (here: the file made read-only under the store) comes out as a
    /// ``StoreError`` naming the file and what was being done, never as GRDB's own error.
    @Test func aFailedWriteIsAStoreErrorNamingTheFile() throws {
        let store = try freshStore()
        try store.db.close()
        #expect { _ = try store.addPool(PoolSpec(name: "p", scope: .fleet, source: "t", ranges: [range("02-00-00-00-00-00", "02-00-00-00-00-07")]), allowOverlap: false) } throws: { error in
            guard case .failed(let location, let operation, _)? = error as? StoreError else { return false }
            return location == store.path && operation == "adding pool 'p'"
        }
    }

    @Test func aFileThatIsNotADatabaseCannotBeOpened() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("macaudit-notdb-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = "\(dir)/pool.sqlite"
        try Data(String(repeating: "not a database\n", count: 400).utf8).write(to: URL(fileURLWithPath: path))
        #expect { _ = try SQLiteStore(path: path) } throws: { error in
            guard case .cannotOpen(let location, _)? = error as? StoreError else { return false }
            return location == path
        }
    }
}

/// A database on a network share gets a warning: SQLite's WAL index is shared memory, which only
/// processes of one machine share. (This machine's kernel mounts no NFS or SMB: the mount table is
/// given as `/proc/self/mountinfo` writes it on a machine that does.)
@Suite struct SharedFileSystemTests {
    static let mountinfo = """
        22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard
        40 22 0:35 / /srv/share rw,relatime shared:20 - nfs4 nas01:/export/audit rw,vers=4.2,addr=10.0.0.5
        41 40 0:36 / /srv/share/local\\040copy rw,relatime shared:21 - tmpfs tmpfs rw,size=65536k
        42 22 0:37 / /mnt/team rw,relatime shared:22 - cifs //files/team rw,vers=3.1.1
        43 22 0:38 / /srv/shared rw,relatime shared:23 - ext4 /dev/vdb rw
        """

    @Test func theLongestMountPointDecidesTheType() {
        #expect(SharedFileSystem.type(of: "/srv/share/macaudit", mountinfo: Self.mountinfo) == "nfs4")
        #expect(SharedFileSystem.type(of: "/srv/share", mountinfo: Self.mountinfo) == "nfs4")
        #expect(SharedFileSystem.type(of: "/srv/share/local copy/db", mountinfo: Self.mountinfo) == "tmpfs")
        #expect(SharedFileSystem.type(of: "/srv/shared/db", mountinfo: Self.mountinfo) == "ext4", "not under /srv/share")
        #expect(SharedFileSystem.type(of: "/mnt/team/audit", mountinfo: Self.mountinfo) == "cifs")
        #expect(SharedFileSystem.type(of: "/var/lib/macaudit", mountinfo: Self.mountinfo) == "ext4")
    }

    @Test func networkAndShareTypesAreNamedAndLocalOnesAreNot() {
        #expect(SharedFileSystem.name(ofType: "nfs4") == "NFS")
        #expect(SharedFileSystem.name(ofType: "cifs") == "SMB/CIFS")
        #expect(SharedFileSystem.name(ofType: "9p")?.hasPrefix("9p") == true)
        for local in ["ext4", "xfs", "btrfs", "zfs", "tmpfs", "overlay", "fuseblk"] { #expect(SharedFileSystem.name(ofType: local) == nil, "\(local)") }
    }

    @Test func aDatabaseInALocalFolderHasNoWarning() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("macaudit-fs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        #expect(SharedFileSystem.warning(for: "\(dir)/pool.sqlite") == nil)
        #expect(SharedFileSystem.warning(for: "pool.sqlite") == nil)
    }
}
