import Foundation
import GRDB
import MACAudit

extension SQLiteStore {
    /// Adds a pool, or changes nothing when the same pool is already there (imports are idempotent).
    /// Refused with the reason: a range with the group bit; a range crossing an OUI or overlapping
    /// another pool, unless `allowOverlap` says it is intended; a name already used by another pool.
    public func addPool(_ spec: PoolSpec, allowOverlap: Bool) throws -> PoolAddOutcome {
        guard !spec.ranges.isEmpty else { throw StoreError("pool '\(spec.name)' has no range") }
        for r in spec.ranges {
            if r.lower.isGroup || r.upper.isGroup || r.lower.firstOctet != r.upper.firstOctet {
                throw StoreError("pool '\(spec.name)' is refused: range \(r) holds group (multicast) addresses (an odd first octet)")
            }
            if !r.staysWithinOneOUI && !allowOverlap {
                throw StoreError("pool '\(spec.name)' is refused: range \(r) crosses an OUI boundary (its first three octets change); give --allow-overlap if that is intended")
            }
        }
        return try immediate { db in
            if let existing = try storedPool(db, named: spec.name) {
                if existing.spec.sameAllocation(as: spec) { return .unchanged }
                throw StoreError("pool '\(spec.name)' already exists with other ranges or scope (\(existing.spec.ranges.map(\.description).joined(separator: ", "))); remove it first")
            }
            if !allowOverlap {
                for r in spec.ranges {
                    if let clash = try Row.fetchOne(db, sql: """
                        SELECT p.name, r.first, r.last FROM poolRange r JOIN pool p ON p.id = r.poolId
                        WHERE r.first <= ? AND r.last >= ? LIMIT 1
                        """, arguments: [r.upper.stored, r.lower.stored]) {
                        let other = MACRange(MACAddress(stored: clash[1]), MACAddress(stored: clash[2]))!
                        throw StoreError("pool '\(spec.name)' is refused: range \(r) overlaps pool '\(clash[0] as String)' (\(other)); give --allow-overlap if that is intended")
                    }
                }
            }
            try db.execute(sql: """
                INSERT INTO pool (name, scope, host, cluster, kind, source, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [spec.name, spec.scope.rawValue, spec.host, spec.cluster, spec.kind.rawValue, spec.source,
                                 StoredDate.text(Date())])
            let poolId = db.lastInsertedRowID
            for r in spec.ranges {
                try db.execute(sql: "INSERT INTO poolRange (poolId, first, last) VALUES (?, ?, ?)",
                               arguments: [poolId, r.lower.stored, r.upper.stored])
                try FreeRuns.initialise(db, range: db.lastInsertedRowID, first: r.lower.stored, last: r.upper.stored)
            }
            return .added
        }
    }

    public func pools() throws -> [StoredPool] {
        try db.read { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM pool ORDER BY name").compactMap { try storedPool(db, id: $0) }
        }
    }

    /// Removes a pool and its ranges; its pending reservations are released (kept as history).
    public func removePool(named name: String) throws {
        try immediate { db in
            guard let pool = try storedPool(db, named: name) else { throw StoreError("no pool named '\(name)'") }
            try db.execute(sql: "UPDATE reservation SET state = 'released' WHERE poolId = ? AND state = 'pending'", arguments: [pool.id])
            try db.execute(sql: "DELETE FROM pool WHERE id = ?", arguments: [pool.id])
        }
    }

    /// Size, in use, reserved, free and the largest free run: sums over the pool's free runs and
    /// index range counts, no scan of the address space.
    public func utilisation(ofPool name: String) throws -> PoolUtilisation {
        try db.read { db in
            guard let pool = try storedPool(db, named: name) else { throw StoreError("no pool named '\(name)'") }
            var u = PoolUtilisation(size: 0, inUse: 0, reserved: 0, free: 0, largestFreeRun: 0, firstFree: nil)
            for row in try Row.fetchAll(db, sql: "SELECT id, first, last FROM poolRange WHERE poolId = ? ORDER BY first", arguments: [pool.id]) {
                let id: Int64 = row[0], first: Int64 = row[1], last: Int64 = row[2]
                u.size += UInt64(last - first + 1)
                u.free += UInt64(try Int64.fetchOne(db, sql: "SELECT COALESCE(SUM(last - first + 1), 0) FROM freeRun WHERE rangeId = ?", arguments: [id]) ?? 0)
                u.inUse += UInt64(try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM assignment WHERE mac BETWEEN ? AND ?", arguments: [first, last]) ?? 0)
                u.reserved += UInt64(try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM reservation WHERE state = 'pending' AND mac BETWEEN ? AND ?", arguments: [first, last]) ?? 0)
                if let longest = try Int64.fetchOne(db, sql: "SELECT MAX(last - first) FROM freeRun WHERE rangeId = ?", arguments: [id]) {
                    u.largestFreeRun = max(u.largestFreeRun, UInt64(longest + 1))
                }
                if u.firstFree == nil, let lowest = try Int64.fetchOne(db, sql: "SELECT first FROM freeRun WHERE rangeId = ? ORDER BY first LIMIT 1", arguments: [id]) {
                    u.firstFree = MACAddress(stored: lowest)
                }
            }
            return u
        }
    }

    /// Records MACs as in use in one transaction (seeding a database from an inventory system or a
    /// generated fleet); pools' free runs follow.
    public func importAssignments(_ macs: [MACAddress], holder: String, at date: Date) throws {
        try immediate { db in
            let ranges = try FreeRuns.RangeIndex(db)
            let at = StoredDate.text(date)
            let upsert = try db.cachedStatement(sql: """
                INSERT INTO assignment (mac, holder, holderKind, firstSeen, lastSeen) VALUES (?, ?, 'imported', ?, ?)
                ON CONFLICT(mac) DO UPDATE SET lastSeen = excluded.lastSeen
                """)
            for mac in macs {
                try upsert.execute(arguments: [mac.stored, holder, at, at])
                let containing = ranges.containing(mac.stored)
                if !containing.isEmpty { try FreeRuns.markUsed(db, mac: mac.stored, ranges: containing) }
            }
        }
    }

    /// How many separate free runs the pool's ranges hold (its fragmentation).
    public func freeRunCount(ofPool name: String) throws -> Int {
        try db.read { db in
            guard let pool = try storedPool(db, named: name) else { throw StoreError("no pool named '\(name)'") }
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM freeRun WHERE rangeId IN (SELECT id FROM poolRange WHERE poolId = ?)", arguments: [pool.id]) ?? 0
        }
    }

    func storedPool(_ db: Database, named name: String) throws -> StoredPool? {
        guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM pool WHERE name = ?", arguments: [name]) else { return nil }
        return try storedPool(db, id: id)
    }

    func storedPool(_ db: Database, id: Int64) throws -> StoredPool? {
        guard let row = try Row.fetchOne(db, sql: "SELECT name, scope, host, cluster, kind, source FROM pool WHERE id = ?", arguments: [id]) else { return nil }
        let ranges = try Row.fetchAll(db, sql: "SELECT first, last FROM poolRange WHERE poolId = ? ORDER BY first", arguments: [id])
            .compactMap { MACRange(MACAddress(stored: $0[0]), MACAddress(stored: $0[1])) }
        let spec = PoolSpec(name: row[0], scope: PoolSpec.Scope(rawValue: row[1]) ?? .fleet, host: row[2], cluster: row[3],
                            source: row[5], kind: PoolKind(rawValue: row[4]) ?? .defined, ranges: ranges)
        return StoredPool(id: id, spec: spec)
    }

    // MARK: - Reservations

    /// Reserves the lowest free MAC of the pool in one `BEGIN IMMEDIATE` transaction: the first free
    /// run of the pool's first range that has one (an index lookup), split, and a reservation row.
    public func reserveNext(inPool name: String, holder: String, runId: Int64? = nil) throws -> MACAddress? {
        try immediate { db in
            guard let pool = try storedPool(db, named: name) else { throw StoreError("no pool named '\(name)'") }
            for rangeId in try Int64.fetchAll(db, sql: "SELECT id FROM poolRange WHERE poolId = ? ORDER BY first", arguments: [pool.id]) {
                guard let mac = try Int64.fetchOne(db, sql: "SELECT first FROM freeRun WHERE rangeId = ? ORDER BY first LIMIT 1", arguments: [rangeId]) else { continue }
                try FreeRuns.markUsed(db, mac: mac, ranges: try FreeRuns.rangesContaining(db, mac: mac))
                try db.execute(sql: """
                    INSERT INTO reservation (mac, poolId, holder, runId, state, createdAt) VALUES (?, ?, ?, ?, 'pending', ?)
                    """, arguments: [mac, pool.id, holder, runId, StoredDate.text(Date())])
                return MACAddress(stored: mac)
            }
            return nil
        }
    }

    public func reservations(holder: String? = nil) throws -> [Reservation] {
        try db.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT r.mac, p.name, r.holder, r.runId, r.state, r.createdAt FROM reservation r LEFT JOIN pool p ON p.id = r.poolId
                WHERE ?1 IS NULL OR r.holder = ?1 ORDER BY r.id
                """, arguments: [holder])
            return rows.map { row in
                Reservation(mac: MACAddress(stored: row[0]), pool: row[1], holder: row[2], runId: row[3],
                            state: Reservation.State(rawValue: row[4]) ?? .pending, createdAt: StoredDate.date(row[5]) ?? Date())
            }
        }
    }

    public func pendingReservations() throws -> [String: MACAddress] {
        try db.read { db in
            var out: [String: MACAddress] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT holder, mac FROM reservation WHERE state = 'pending' ORDER BY id") {
                out[row[0]] = MACAddress(stored: row[1])
            }
            return out
        }
    }

    public func usedMACs() throws -> [UInt64] {
        try db.read { db in
            try Int64.fetchAll(db, sql: "SELECT mac FROM assignment UNION SELECT mac FROM reservation WHERE state = 'pending' ORDER BY 1").map { UInt64($0) }
        }
    }

    public func reserve(plan: [(holder: String, mac: MACAddress, pool: String?)], runId: Int64?) throws -> (new: Int, kept: Int) {
        try immediate { db in
            var new = 0, kept = 0
            let now = StoredDate.text(Date())
            for entry in plan {
                let m = entry.mac.stored
                if try Int64.fetchOne(db, sql: "SELECT id FROM reservation WHERE state = 'pending' AND holder = ? AND mac = ?", arguments: [entry.holder, m]) != nil {
                    kept += 1
                    continue
                }
                for old in try Int64.fetchAll(db, sql: "SELECT mac FROM reservation WHERE state = 'pending' AND holder = ?", arguments: [entry.holder]) {
                    try db.execute(sql: "UPDATE reservation SET state = 'released' WHERE state = 'pending' AND mac = ?", arguments: [old])
                    if try !FreeRuns.isUsed(db, mac: old) { try FreeRuns.markFree(db, mac: old, ranges: try FreeRuns.rangesContaining(db, mac: old)) }
                }
                let poolId = try entry.pool.flatMap { try Int64.fetchOne(db, sql: "SELECT id FROM pool WHERE name = ?", arguments: [$0]) }
                try db.execute(sql: "INSERT INTO reservation (mac, poolId, holder, runId, state, createdAt) VALUES (?, ?, ?, ?, 'pending', ?)",
                               arguments: [m, poolId, entry.holder, runId, now])
                try FreeRuns.markUsed(db, mac: m, ranges: try FreeRuns.rangesContaining(db, mac: m))
                new += 1
            }
            return (new, kept)
        }
    }

    /// Releases a pending reservation; the MAC becomes free again unless an assignment holds it.
    public func release(mac: MACAddress) throws -> Bool {
        try immediate { db in
            try db.execute(sql: "UPDATE reservation SET state = 'released' WHERE mac = ? AND state = 'pending'", arguments: [mac.stored])
            guard db.changesCount > 0 else { return false }
            if try !FreeRuns.isUsed(db, mac: mac.stored) {
                try FreeRuns.markFree(db, mac: mac.stored, ranges: try FreeRuns.rangesContaining(db, mac: mac.stored))
            }
            return true
        }
    }
}

extension PoolSpec {
    /// Same name, scope and ranges: what makes a second import of one file a no-op.
    func sameAllocation(as other: PoolSpec) -> Bool {
        name == other.name && scope == other.scope && ranges == other.ranges
            && host.map(HostName.key) == other.host.map(HostName.key) && cluster == other.cluster
    }
}
