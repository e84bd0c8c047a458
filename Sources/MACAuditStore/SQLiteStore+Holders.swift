import Foundation
import GRDB
import GRDBSQLite
import MACAudit

/// The holder side of recording an audit, and what later audits read back (``HolderRegistry``).
///
/// Holders are filed by *place*: one export as audits read it (a host's adapters from one file, a
/// cluster's NC interfaces). A place remembers the last run that read it, and a live holder of a
/// place was seen by that run (had it not been, it would be gone): so an unchanged holder is never
/// rewritten, and re-auditing a million unchanged holders writes one row per export.
extension SQLiteStore {
    struct Place: Hashable {
        var cluster: String
        var host: String
        var kind: String
        var source: String
    }

    /// The places of some clusters: ids both ways, and the last run that read each.
    struct Places {
        var ids: [Place: Int64] = [:]
        var byId: [Int64: Place] = [:]
        var lastRun: [Int64: Int64] = [:]
        /// The digest of each place's live holders as its last reading saw them (``HoldersDigest``).
        var holdersDigest: [Int64: Int64] = [:]

        init(_ db: Database, clusters: Set<String>) throws {
            let select = try db.cachedStatement(sql: "SELECT id, host, kind, source, lastRunId, holdersDigest FROM place WHERE cluster = ?")
            for cluster in clusters.sorted() {
                for row in try Row.fetchAll(select, arguments: [cluster]) {
                    let place = Place(cluster: cluster, host: row[1], kind: row[2], source: row[3])
                    let id: Int64 = row[0]
                    ids[place] = id
                    byId[id] = place
                    if let last = row[4] as Int64? { lastRun[id] = last }
                    if let digest = row[5] as Int64? { holdersDigest[id] = digest }
                }
            }
        }

        /// The id of a place, added to the database when new.
        mutating func id(_ place: Place, _ db: Database) throws -> Int64 {
            if let id = ids[place] { return id }
            // Prepared once: a new site brings hundreds of places.
            try db.cachedStatement(sql: "INSERT INTO place (cluster, host, kind, source) VALUES (?, ?, ?, ?)")
                .execute(arguments: [place.cluster, place.host, place.kind, place.source])
            let id = db.lastInsertedRowID
            ids[place] = id
            byId[id] = place
            return id
        }
    }

    /// A non-released assignment of the audited clusters, in integers: what recording compares.
    struct KnownAssignment {
        var id: Int64
        var mac: Int64
        var keyHash: Int64
        var state: Assignment.State
        var digest: Int64
        var placeId: Int64
        var lastRunId: Int64?
        var seen = false
        /// The next row with the same key hash, or -1.
        var next = -1
    }

    /// The assignments of the audited places, chained by key hash; legacy rows by MAC.
    struct KnownAssignments {
        var rows: [KnownAssignment] = []
        var firstByKey: [Int64: Int] = [:]
        var legacyByMAC: [Int64: [Int]] = [:]
        /// Rows other than the audited places' live and gone ones (elsewhere, or released), or more,
        /// never fewer: 0 means none, so no new holder can be one the database already knows.
        let elsewhere: Int

        /// Rows of the audited places (live and gone; those of unchanged places counted as their
        /// live ones): what a run that holds no new holder would find.
        let audited: Int

        /// The rows of `places` but those of unchanged places, which are counted by the holders the
        /// run listed there (their gone rows then count as elsewhere: more, never fewer).
        init(_ db: Database, places: Places, unchanged: [Int64: Int] = [:]) throws {
            // Integers only, read through SQLite's column API: a re-audit of a million holders reads
            // them all. Counted first through the place index (no row is touched): when the audited
            // places hold most rows, one pass over the table in row order beats a lookup per row.
            let count = try db.cachedStatement(sql: """
                SELECT COUNT(*), MIN(id), MAX(id) FROM assignment INDEXED BY assignmentPlace WHERE placeId = ? AND state IN ('live', 'gone')
                """)
            // Row ids only grow, so the largest is at least the number of rows: `elsewhere` may count
            // released rows or none that exist (then lookups outside are made for nothing), never fewer.
            let total = try Int.fetchOne(db, sql: "SELECT MAX(id) FROM assignment") ?? 0
            var audited = unchanged.values.reduce(0, +), toRead = 0, first = Int64.max, last = Int64.min
            for placeId in places.byId.keys where unchanged[placeId] == nil {
                guard let row = try Row.fetchOne(count, arguments: [placeId]), let n = row[0] as Int?, n > 0 else { continue }
                audited += n
                toRead += n
                first = min(first, row[1]); last = max(last, row[2])
            }
            self.audited = audited
            elsewhere = total - audited
            guard toRead > 0 else { return }
            rows.reserveCapacity(toRead)
            let columns = "id, mac, keyHash, state = 'live', digest, lastRunId, placeId"
            // Place ids are small row ids: whether one is audited is an array lookup per row.
            var isAudited = [Bool](repeating: false, count: Int(places.byId.keys.max() ?? 0) + 1)
            for id in places.byId.keys where unchanged[id] == nil { isAudited[Int(id)] = true }
            let keep: (Int64) -> Bool = { $0 >= 0 && $0 < isAudited.count && isAudited[Int($0)] }
            if toRead * 2 > total {
                // Most rows are the audited places': one pass over the table.
                let scan = try db.cachedStatement(sql: "SELECT \(columns) FROM assignment NOT INDEXED WHERE state IN ('live', 'gone')")
                try read(scan, db, keep: keep)
            } else if last - first < Int64(toRead) * 2 {
                // The audited places' rows lie together (a site recorded by its own runs): one pass
                // over their stretch of row ids, in the table's order.
                let stretch = try db.cachedStatement(sql: "SELECT \(columns) FROM assignment WHERE id BETWEEN ? AND ? AND state IN ('live', 'gone')")
                sqlite3_bind_int64(stretch.sqliteStatement, 1, first)
                sqlite3_bind_int64(stretch.sqliteStatement, 2, last)
                try read(stretch, db, keep: keep)
            } else {
                let atPlace = try db.cachedStatement(sql: "SELECT \(columns) FROM assignment WHERE placeId = ? AND state IN ('live', 'gone')")
                for placeId in places.byId.keys.sorted() where unchanged[placeId] == nil {
                    sqlite3_reset(atPlace.sqliteStatement)
                    sqlite3_bind_int64(atPlace.sqliteStatement, 1, placeId)
                    try read(atPlace, db) { _ in true }
                }
            }
        }

        private mutating func read(_ statement: Statement, _ db: Database, keep: (Int64) -> Bool) throws {
            let handle = statement.sqliteStatement
            defer { sqlite3_reset(handle) }
            while true {
                let code = sqlite3_step(handle)
                if code == SQLITE_DONE { break }
                guard code == SQLITE_ROW else { throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection))) }
                let placeId = sqlite3_column_int64(handle, 6)
                guard keep(placeId) else { continue }
                let keyHash = sqlite3_column_int64(handle, 2)
                let lastRun = sqlite3_column_type(handle, 5) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, 5)
                let i = rows.count
                rows.append(KnownAssignment(id: sqlite3_column_int64(handle, 0), mac: sqlite3_column_int64(handle, 1), keyHash: keyHash,
                                            state: sqlite3_column_int64(handle, 3) == 1 ? .live : .gone, digest: sqlite3_column_int64(handle, 4),
                                            placeId: placeId, lastRunId: lastRun))
                if keyHash == 0 { legacyByMAC[rows[i].mac, default: []].append(i) }
            }
        }

        /// The next row in read order, where the search for the next holder starts: a re-audit of
        /// the same exports lists the holders in the order they were recorded, and each is found
        /// there without hashing; the key index is built only on the first holder found elsewhere.
        private var cursor = 0
        private var indexed = false

        /// The position of the unseen row with this key hash and MAC, or of a seen one (nil: none).
        mutating func find(keyHash: Int64, mac: Int64) -> Int? {
            if rows.isEmpty { return nil }  // a new site: nothing to hash
            if cursor < rows.count, rows[cursor].keyHash == keyHash, rows[cursor].mac == mac, !rows[cursor].seen {
                cursor += 1
                return cursor - 1
            }
            index()
            guard let i = row(ofKey: keyHash, mac: mac) else { return nil }
            cursor = i + 1
            return i
        }

        /// The MACs of the holders no row has (by key hash and MAC), without moving the search's
        /// start; holders of unchanged places have theirs.
        mutating func unknownMACs(_ summaries: [HolderSightings.Summary], _ digests: PlaceDigests, base: Int) -> [Int64] {
            index()
            var out: [Int64] = []
            for (j, s) in summaries.enumerated() {
                if digests.isUnchanged(base + j) { continue }
                if row(ofKey: s.keyHash, mac: s.mac) == nil { out.append(s.mac) }
            }
            return out
        }

        /// Whether some row has this key hash.
        mutating func has(keyHash: Int64) -> Bool {
            if rows.isEmpty { return false }
            index()
            return firstByKey[keyHash] != nil
        }

        /// Chains the rows by key hash (legacy rows, hash 0, are found by MAC).
        private mutating func index() {
            guard !indexed else { return }
            indexed = true
            firstByKey.reserveCapacity(rows.count)
            for i in rows.indices where rows[i].keyHash != 0 {
                if let first = firstByKey.updateValue(i, forKey: rows[i].keyHash) { rows[i].next = first }
            }
        }

        /// The position of the row with this key hash and MAC, without building a list (after ``index()``).
        private func row(ofKey keyHash: Int64, mac: Int64) -> Int? {
            var i = firstByKey[keyHash] ?? -1
            while i >= 0 { if rows[i].mac == mac { return i }; i = rows[i].next }
            return nil
        }

        /// Positions of the rows with this key hash.
        mutating func rows(ofKey keyHash: Int64) -> [Int] {
            index()
            var out: [Int] = [], i = firstByKey[keyHash] ?? -1
            while i >= 0 { out.append(i); i = rows[i].next }
            return out
        }
    }

    /// Records the run's holders inside the caller's transaction: each (holder, MAC) is added,
    /// left alone (unchanged), updated, returned, moved or re-keyed; a holder's other MAC is gone
    /// (`mac-changed`); holders of places the run covered and did not see are gone; gone holders
    /// past the grace period are released and their MACs freed; pending reservations the holder now
    /// has are fulfilled; every place the run covered remembers the run.
    func recordHolders(_ db: Database, _ audit: AuditRecord, runId: Int64, at: String, lap: Lap) throws -> (events: [HolderEvent], tally: HolderTally) {
        var log = EventLog(runId: runId, at: audit.at, text: at)
        var tally = HolderTally()
        var places = try Places(db, clusters: audit.clusters)
        let holders = audit.holders
        // A re-audit compares places first: those whose holders are their last reading's are not
        // read back row by row. (A first audit has no digests yet: it streams, as holders pack.)
        var digests = PlaceDigests()
        if !places.holdersDigest.isEmpty {
            var last: (Place, Int64)?
            try digests.compare(holders, stored: places.holdersDigest, covered: { id in
                places.byId[id].map { audit.coverage.covers(kind: $0.kind, cluster: $0.cluster, host: $0.host, source: $0.source) } ?? false
            }) { n in
                let origin = holders.place(n)
                let place = Place(cluster: origin.cluster, host: origin.host, kind: origin.kind, source: origin.source)
                if last?.0 != place { last = (place, try places.id(place, db)) }
                return last!.1
            }
        }
        lap("places (\(digests.unchanged.count) unchanged)")
        var known = try KnownAssignments(db, places: places, unchanged: digests.unchangedCounts)
        lap("known holders")
        let ranges = try FreeRuns.RangeIndex(db)
        var taken = FreeRuns.Taken()  // MACs of pool ranges that this run's new rows hold, marked used after the loop
        // Before any statement is prepared: dropping an index changes the schema, which finalises them.
        let bulk = try BulkLoad(db, expectedNew: audit.holders.count - known.audited, elsewhere: known.elsewhere)
        var writer = try AssignmentWriter(db, runId: runId, location: path)
        var inserts = try Inserts(db, runId: runId, location: path)
        var recordedMACs = try RecordedMACs(db, location: path)
        // By key hash: the run's MAC of each holder, and the holders that hold theirs statically.
        var thisRun = RunMACs(capacity: holders.count), staticNow = Set<Int64>()
        // Only holders with a pending reservation can fulfil one: whether they hold their MAC statically.
        let reserved = Set(try String.fetchAll(db, sql: "SELECT holderKey FROM reservation WHERE state = 'pending'").map(HolderSighting.keyHash))
        var lastPlace: (Place, Int64)?
        var macRange: [Int64: (Int64, Int64)] = [:]  // per place: the lowest and highest MAC this run saw
        var low = Int64.max, high = Int64.min, rangePlace: Int64 = -1, unchangedPlace = false
        var waited = 0.0
        for c in 0..<holders.chunkCount {  // chunk by chunk, each as soon as it is packed
            let waitStart = Date()
            let chunk = holders.chunk(c)
            waited += Date().timeIntervalSince(waitStart)
            // Of this chunk's holders the audited places do not know, the MACs some other row holds:
            // only those can be the same holder recorded outside the audited places.
            let recordedElsewhere = known.elsewhere == 0 ? [] : try recordedMACs.among(
                known.unknownMACs(chunk.summaries, digests, base: chunk.base))
            let anyElsewhere = !recordedElsewhere.isEmpty
            let sightings = thisRun.note(chunk.summaries)
            for (j, sum) in chunk.summaries.enumerated() {
                let n = chunk.base + j
                let mac = sum.mac, keyHash = sum.keyHash, digest = sum.digest
                let placeId: Int64
                if let placeOf = digests.placeOf {
                    placeId = placeOf[n]
                } else {
                    if sum.startsPlace {
                        let origin = holders.place(n)
                        let place = Place(cluster: origin.cluster, host: origin.host, kind: origin.kind, source: origin.source)
                        if lastPlace?.0 != place { lastPlace = (place, try places.id(place, db)) }
                    }
                    placeId = lastPlace!.1
                    digests.add(sum, at: placeId)
                }
                if placeId != rangePlace {
                    if rangePlace >= 0 { macRange[rangePlace] = Self.widen(macRange[rangePlace], low, high) }
                    rangePlace = placeId
                    low = .max; high = .min
                    unchangedPlace = digests.unchanged.contains(placeId)
                }
                low = min(low, mac); high = max(high, mac)
                let sighting = sightings[j]
                if sighting == .repeated { continue }  // one holder reported twice
                let firstOfKey = sighting == .first
                if !reserved.isEmpty, sum.dynamicMAC != true, reserved.contains(keyHash) { staticNow.insert(keyHash) }
                // A place whose holders are its last reading's: this one's row is there, as it is.
                if unchangedPlace { tally.seen += 1; continue }
                if let i = known.find(keyHash: keyHash, mac: mac) {
                    let row = known.rows[i]
                    known.rows[i].seen = true
                    tally.seen += 1
                    guard row.state != .live || row.digest != digest || row.placeId != placeId else { continue }
                    digests.touched.insert(row.placeId)
                    try writer.update(row.id, chunk, n, placeId: placeId)
                    let s = holders.sighting(n)
                    if row.state == .gone { log.add(s.key, s.label, .returned, to: s.mac); tally.returned += 1 }
                    if let old = places.byId[row.placeId], HostName.key(old.host) != HostName.key(s.host) {
                        log.add(s.key, s.label, .moved, fromHost: old.host, toHost: s.host)
                    }
                    continue
                }
                if firstOfKey, known.has(keyHash: keyHash) {
                    let s = holders.sighting(n)
                    for i in known.rows(ofKey: keyHash) where !known.rows[i].seen && known.rows[i].state == .live {
                        known.rows[i].seen = true
                        digests.touched.insert(known.rows[i].placeId)
                        try markGone(db, known.rows[i], lastSeenRun: places.lastRun[known.rows[i].placeId], runId: runId)
                        log.add(s.key, s.label, .macChanged, from: MACAddress(stored: known.rows[i].mac), to: s.mac)
                    }
                }
                if !known.legacyByMAC.isEmpty, let candidates = known.legacyByMAC[mac],
                   let i = candidates.first(where: { !known.rows[$0].seen && places.byId[known.rows[$0].placeId]?.cluster == places.byId[placeId]?.cluster }) {
                    known.rows[i].seen = true
                    digests.touched.insert(known.rows[i].placeId)
                    try writer.update(known.rows[i].id, chunk, n, placeId: placeId)
                    let s = holders.sighting(n)
                    log.add(s.key, s.label, .rekeyed, to: s.mac)
                    tally.rekeyed += 1
                    continue
                }
                // The same holder and MAC recorded outside the audited places (a VM moved between
                // clusters, an export read under another name): that row moves here; a gone or
                // released one comes back to life (`returned`).
                if anyElsewhere, recordedElsewhere.contains(mac), let other = try writer.existing(chunk, n) {
                    digests.touched.insert(other.placeId)
                    try writer.update(other.id, chunk, n, placeId: placeId)
                    if other.state != .live {
                        if other.state == .released { taken.add(mac, in: ranges) }
                        let s = holders.sighting(n)
                        log.add(s.key, s.label, .returned, to: s.mac)
                        tally.returned += 1
                    } else {
                        tally.seen += 1
                    }
                    continue
                }
                try inserts.add(chunk, n, placeId: placeId)
                tally.added += 1
                taken.add(mac, in: ranges)
            }
        }
        if rangePlace >= 0 { macRange[rangePlace] = Self.widen(macRange[rangePlace], low, high) }
        try inserts.finish()
        try taken.apply(db)
        lap("holders (\(String(format: "%.3f", waited)) s of it waiting for their packing)")
        try bulk.finish(db)
        lap("indexes")
        try retireAliases(db, audit.holders, &known, touched: &digests.touched, runId: runId, log: &log)
        tally.gone = try markUnseenGone(db, known, places, audit.coverage, runId: runId, log: &log)
        // A covered place's live holders are now exactly those this run saw there, in its order;
        // a place it did not read and changed a row of no longer knows its holders' digest.
        let read = try db.cachedStatement(sql: "UPDATE place SET lastRunId = ?, minMAC = ?, maxMAC = ?, holdersDigest = ? WHERE id = ?")
        var covered = Set<Int64>()
        for (place, id) in places.ids where audit.coverage.covers(kind: place.kind, cluster: place.cluster, host: place.host, source: place.source) {
            let range = macRange[id]
            try read.execute(arguments: [runId, range?.0 ?? 1, range?.1 ?? 0, digests.digest(of: id), id])
            covered.insert(id)
        }
        let forget = try db.cachedStatement(sql: "UPDATE place SET holdersDigest = NULL WHERE id = ?")
        for id in digests.touched.subtracting(covered) { try forget.execute(arguments: [id]) }
        tally.released = try release(db, before: StoredDate.text(audit.at.addingTimeInterval(-audit.releaseAfter)), runId: runId, log: &log)
        tally.fulfilled = try fulfil(db, thisRun, staticNow, runId: runId, log: &log)
        try log.write(db)
        lap("gone, released, fulfilled")
        return (log.events, tally)
    }

    /// A place's MAC range grown by `low…high` (a place's holders may come in more than one stretch).
    private static func widen(_ range: (Int64, Int64)?, _ low: Int64, _ high: Int64) -> (Int64, Int64) {
        guard let range else { return (low, high) }
        return (min(range.0, low), max(range.1, high))
    }

    /// Many new rows into a table that has none elsewhere (a first audit, a new site): the indexes
    /// are dropped and built again after the inserts, inside the same transaction — one sort per
    /// index instead of a random B-tree insert per row. Nothing reads them meanwhile: lookups
    /// outside the audited places happen only when there are rows elsewhere, and then this is off.
    struct BulkLoad {
        static let indexes = [
            ("assignmentMAC", "CREATE INDEX assignmentMAC ON assignment(mac)"),
            ("assignmentPlace", "CREATE INDEX assignmentPlace ON assignment(placeId, state)"),
        ]
        let on: Bool

        init(_ db: Database, expectedNew: Int, elsewhere: Int) throws {
            on = elsewhere == 0 && expectedNew >= 50_000
            guard on else { return }
            for (name, _) in Self.indexes { try db.execute(sql: "DROP INDEX \(name)") }
        }

        func finish(_ db: Database) throws {
            guard on else { return }
            for (_, create) in Self.indexes { try db.execute(sql: create) }
        }
    }

    /// New rows, written `batch` at a time by one multi-row INSERT (one statement step per batch
    /// instead of per row: a first audit inserts a million), the rest one by one at the end. A row
    /// is its integers and the holder's packed bytes as the audit made them.
    ///
    /// `OR FAIL`: a row that broke a constraint would stop the statement there and fail the whole
    /// recording, which is rolled back. With the default (`ABORT`), SQLite first copies every page a
    /// statement changes into a statement journal so it can undo that statement alone, and a first
    /// audit's batches change the same last pages of the table and its indexes one after another.
    struct Inserts {
        static let batch = 32
        static let columns = "mac, keyHash, placeId, digest, firstRunId, lastRunId, holder, state"
        static let values = "(?, ?, ?, ?, ?, ?, ?, 'live')"
        var many: RawStatement
        var one: RawStatement
        var pending: [(Int, Int64)] = []
        /// The chunk of the pending holders.
        var chunk: HolderSightings.Chunk?
        let runId: Int64
        let location: String

        init(_ db: Database, runId: Int64, location: String) throws {
            let sql = "INSERT OR FAIL INTO assignment (\(Self.columns)) VALUES "
            many = RawStatement(try db.cachedStatement(sql: sql + Array(repeating: Self.values, count: Self.batch).joined(separator: ", ")), db,
                                operation: "recording the audit's holders")
            one = RawStatement(try db.cachedStatement(sql: sql + Self.values), db, operation: "recording the audit's holders")
            self.runId = runId
            self.location = location
            pending.reserveCapacity(Self.batch)
        }

        /// Holder `n` of `chunk`, new at `placeId`. A batch holds holders of one chunk (their bytes
        /// are bound without a copy, inside that chunk's buffer).
        mutating func add(_ chunk: HolderSightings.Chunk, _ n: Int, placeId: Int64) throws {
            if self.chunk?.base != chunk.base {  // a chunk's buffers are retained once, not per holder
                if self.chunk != nil { try finish() }
                self.chunk = chunk
            }
            pending.append((n, placeId))
            guard pending.count == Self.batch else { return }
            try Self.write(pending, chunk, runId: runId, into: &many, location)
            pending.removeAll(keepingCapacity: true)
        }

        mutating func finish() throws {
            if let chunk { for entry in pending { try Self.write([entry], chunk, runId: runId, into: &one, location) } }
            pending.removeAll(keepingCapacity: true)
        }

        private static func write(_ rows: [(Int, Int64)], _ chunk: HolderSightings.Chunk, runId: Int64, into raw: inout RawStatement,
                                  _ location: String) throws {
            try chunk.bytes.withUnsafeBytes { bytes in  // stepped before the closure ends
                for (n, placeId) in rows {
                    let sum = chunk.summaries[n - chunk.base]
                    raw.bind(sum.mac); raw.bind(sum.keyHash); raw.bind(placeId); raw.bind(sum.digest); raw.bind(runId); raw.bind(runId)
                    raw.bind(unchanging: UnsafeRawBufferPointer(rebasing: bytes[Int(sum.packedStart)..<Int(sum.packedStart + sum.packedCount)]))
                }
                try raw.run(location)
            }
        }
    }

    /// The statements that write assignments, prepared once per recording.
    struct AssignmentWriter {
        var updateStatement: RawStatement
        let findStatement: Statement
        let runId: Int64
        let location: String

        init(_ db: Database, runId: Int64, location: String) throws {
            self.runId = runId
            self.location = location
            updateStatement = RawStatement(try db.cachedStatement(sql: """
                UPDATE assignment SET mac = ?, keyHash = ?, placeId = ?, digest = ?, holder = ?, state = 'live', goneRunId = NULL,
                    releasedRunId = NULL, lastRunId = ?
                WHERE id = ?
                """), db, operation: "recording the audit's holders")
            findStatement = try db.cachedStatement(sql: "SELECT id, state, holder, placeId FROM assignment WHERE mac = ? AND keyHash = ?")
        }

        /// Every field of a known row from holder `n`: live, written by this run.
        mutating func update(_ id: Int64, _ chunk: HolderSightings.Chunk, _ n: Int, placeId: Int64) throws {
            let sum = chunk.summaries[n - chunk.base]
            updateStatement.bind(sum.mac); updateStatement.bind(sum.keyHash); updateStatement.bind(placeId); updateStatement.bind(sum.digest)
            try chunk.withPacked(n) { bytes in  // bound without a copy: stepped before the closure ends
                updateStatement.bind(unchanging: bytes)
                updateStatement.bind(runId); updateStatement.bind(id)
                try updateStatement.run(location)
            }
        }

        /// The row of holder `n` and its MAC outside the audited places (its key confirmed, not only its hash).
        func existing(_ chunk: HolderSightings.Chunk, _ n: Int) throws -> (id: Int64, state: Assignment.State, placeId: Int64)? {
            let sum = chunk.summaries[n - chunk.base]
            let key = try chunk.withPacked(n) { try SQLiteStore.packedKey($0, location) }
            for row in try Row.fetchAll(findStatement, arguments: [sum.mac, sum.keyHash]) {
                let bytes: Data = row[2]
                if try bytes.withUnsafeBytes({ try SQLiteStore.packedKey($0, location) }) == key { return (row[0], try SQLiteStore.state(row[1]), row[3]) }
            }
            return nil
        }
    }

    /// The key of a packed holder, or a ``StoreError`` naming the database.
    static func packedKey(_ bytes: UnsafeRawBufferPointer, _ location: String) throws -> String {
        do { return try PackedSighting.key(bytes) } catch {
            throw StoreError.failed(location: location, operation: "reading a holder", reason: error.reason)
        }
    }

    static func state(_ text: String) throws -> Assignment.State {
        guard let state = Assignment.State(rawValue: text) else {
            throw StoreError.failed(location: "assignment.state", operation: "reading an assignment", reason: "'\(text)' is not a state this build knows")
        }
        return state
    }

    /// Gone in this run; it was last seen by the last run that read its place (or that wrote it).
    private func markGone(_ db: Database, _ row: KnownAssignment, lastSeenRun: Int64?, runId: Int64) throws {
        let lastSeen = max(row.lastRunId ?? 0, lastSeenRun ?? 0)
        try db.cachedStatement(sql: "UPDATE assignment SET state = 'gone', goneRunId = ?, lastRunId = ? WHERE id = ?")
            .execute(arguments: [runId, lastSeen == 0 ? nil : lastSeen, row.id])
    }

    /// An NC interface recorded alone before and now joined to its adapter is one holder: its own
    /// row ends (the pair's row holds the MAC), as a `rekeyed` event.
    private func retireAliases(_ db: Database, _ holders: HolderSightings, _ known: inout KnownAssignments, touched: inout Set<Int64>,
                               runId: Int64, log: inout EventLog) throws {
        // Only rows this run did not see can be an alias's (none, when every export was read as before).
        var unseen: [Int64: [Int]] = [:]
        for i in known.rows.indices where !known.rows[i].seen && known.rows[i].keyHash != 0 { unseen[known.rows[i].keyHash, default: []].append(i) }
        guard !unseen.isEmpty else { return }
        for c in 0..<holders.chunkCount {
            let chunk = holders.chunk(c)
            for (j, sum) in chunk.summaries.enumerated() where sum.aliasHash != 0 {
                guard let rows = unseen[sum.aliasHash]?.filter({ !known.rows[$0].seen }), !rows.isEmpty else { continue }
                let s = holders.sighting(chunk.base + j)
                for i in rows where try describe(db, known.rows[i].id).key == s.alias {
                    known.rows[i].seen = true
                    touched.insert(known.rows[i].placeId)
                    try db.cachedStatement(sql: "UPDATE assignment SET state = 'released', releasedRunId = ? WHERE id = ?").execute(arguments: [runId, known.rows[i].id])
                    log.add(s.key, s.label, .rekeyed, to: s.mac)
                }
            }
        }
    }

    /// Live rows of the places the run covered (it read their export, their host's adapters or their
    /// cluster's NC interfaces) that it did not see are gone.
    private func markUnseenGone(_ db: Database, _ known: KnownAssignments, _ places: Places, _ coverage: Coverage, runId: Int64,
                                log: inout EventLog) throws -> Int {
        var covered: [Int64: Bool] = [:]
        for (id, p) in places.byId { covered[id] = coverage.covers(kind: p.kind, cluster: p.cluster, host: p.host, source: p.source) }
        var gone = 0
        // In row order, however the rows were read (by place or in one pass).
        for row in known.rows.filter({ !$0.seen && $0.state == .live && covered[$0.placeId] == true }).sorted(by: { $0.id < $1.id }) {
            try markGone(db, row, lastSeenRun: places.lastRun[row.placeId], runId: runId)
            let (key, label) = try describe(db, row.id)
            log.add(key, label, .gone, from: MACAddress(stored: row.mac))
            gone += 1
        }
        return gone
    }

    /// Gone rows whose grace period ended: released, their MACs free unless something else holds them.
    private func release(_ db: Database, before cutoff: String, runId: Int64, log: inout EventLog) throws -> Int {
        // Through the partial index of gone rows (a fleet has few), never a scan of every assignment.
        let due = try Row.fetchAll(db, sql: """
            SELECT a.id, a.mac FROM assignment a INDEXED BY assignmentGone JOIN run r ON r.id = a.goneRunId
            WHERE a.state = 'gone' AND r.startedAt <= ? ORDER BY a.id
            """, arguments: [cutoff])
        for row in due {
            let id: Int64 = row[0], mac: Int64 = row[1]
            try db.cachedStatement(sql: "UPDATE assignment SET state = 'released', releasedRunId = ? WHERE id = ?").execute(arguments: [runId, id])
            if try !FreeRuns.isUsed(db, mac: mac) { try FreeRuns.markFree(db, mac: mac, ranges: try FreeRuns.rangesContaining(db, mac: mac)) }
            let (key, label) = try describe(db, id)
            log.add(key, label, .released, from: MACAddress(stored: mac))
        }
        return due.count
    }

    /// Pending reservations whose holder this run saw with the reserved MAC are fulfilled: it did
    /// not have the MAC when reserved, or it now holds it statically (a dynamic MAC made static; a
    /// reservation of an older macaudit does not say what the holder had).
    private func fulfil(_ db: Database, _ thisRun: RunMACs, _ staticNow: Set<Int64>, runId: Int64, log: inout EventLog) throws -> Int {
        var fulfilled = 0
        for r in try ReservationRecord.filter(Column("state") == Reservation.State.pending).fetchAll(db) {
            let key = HolderSighting.keyHash(r.holderKey)
            guard thisRun.mac(of: key) == r.mac, (r.fromMAC != nil && r.fromMAC != r.mac) || staticNow.contains(key) else { continue }
            try db.cachedStatement(sql: "UPDATE reservation SET state = 'fulfilled', fulfilledRunId = ? WHERE id = ?").execute(arguments: [runId, r.id])
            log.add(r.holderKey, r.label ?? r.holderKey, .fulfilled, to: MACAddress(stored: r.mac))
            fulfilled += 1
        }
        return fulfilled
    }

    /// A row's key and label, for an event.
    private func describe(_ db: Database, _ id: Int64) throws -> (key: String, label: String) {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "\(Self.assignmentColumns) WHERE a.id = ?"), arguments: [id]) else {
            return ("?", "?")
        }
        let s = try sighting(row)
        return (s.key, s.label)
    }

    /// The events of one run, written to `holderEvent` at the end of the recording.
    struct EventLog {
        let runId: Int64
        let at: Date
        let text: String
        var events: [HolderEvent] = []

        mutating func add(_ key: String, _ label: String, _ kind: HolderEvent.Kind, from: MACAddress? = nil, to: MACAddress? = nil,
                          fromHost: String? = nil, toHost: String? = nil) {
            events.append(HolderEvent(runId: runId, at: at, holder: key, label: label, kind: kind, from: from, to: to, fromHost: fromHost, toHost: toHost))
        }

        func write(_ db: Database) throws {
            let insert = try db.cachedStatement(sql: """
                INSERT INTO holderEvent (runId, at, holderKey, label, kind, fromMAC, toMAC, fromHost, toHost) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for e in events {
                try insert.execute(arguments: [runId, text, e.holder, e.label, e.kind, e.from?.stored, e.to?.stored, e.fromHost, e.toHost])
            }
        }
    }
}

// MARK: - Reading holders back

extension SQLiteStore {
    /// See ``HolderRegistry/recordedHolders(_:)``. Uncovered places of the audited clusters come
    /// from the place table; holders of other clusters are matched on MAC from whichever side is
    /// smaller: their MACs against the run's (sorted, binary search), or the run's MACs joined
    /// through a temporary table.
    public func recordedHolders(_ query: RecordedHolderQuery) throws -> [RecordedHolder] {
        try reading("reading the database's holders") { db in
            let runDates = try Self.runDates(db)
            let places = try Places(db, clusters: query.coverage.clusters)
            var ids: [Int64] = []
            let atPlace = try db.cachedStatement(sql: "SELECT id, lastRunId FROM assignment WHERE placeId = ? AND state = 'live'")
            for (id, p) in places.byId.sorted(by: { $0.key < $1.key })
            where p.kind != "imported" && !query.coverage.covers(kind: p.kind, cluster: p.cluster, host: p.host, source: p.source) {
                for row in try Row.fetchAll(atPlace, arguments: [id]) {
                    let lastSeen = max(row[1] as Int64? ?? 0, places.lastRun[id] ?? 0)
                    if let date = runDates[lastSeen], date >= query.since { ids.append(row[0]) }
                }
            }
            ids += try otherClusters(db, query, runDates)
            return try ids.sorted().map { try recordedHolder(db, id: $0, runDates) }
                .sorted { ($0.sighting.cluster, $0.sighting.host, $0.sighting.key) < ($1.sighting.cluster, $1.sighting.host, $1.sighting.key) }
        }
    }

    static func runDates(_ db: Database) throws -> [Int64: Date] {
        var out: [Int64: Date] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, startedAt FROM run") { out[row[0]] = try StoredDate.parse(row[1], "run.startedAt") }
        return out
    }

    /// Ids of live rows of clusters not audited that hold one of the run's MACs. Only the run's MACs
    /// inside the MAC range of such a cluster's export (``OtherClusterLookup``; a range not known,
    /// a row of an older release, holds any) are looked for, by walking the MAC index in step with
    /// them (``RecordedMACs``): in every shape that touches no more of the index than reading those
    /// exports' rows would touch rows — far fewer where their ranges span the run's MACs (random
    /// MACs, sites drawing on one central pool) — so it is the only way here.
    private func otherClusters(_ db: Database, _ query: RecordedHolderQuery, _ runDates: [Int64: Date]) throws -> [Int64] {
        let audited = query.coverage.clusters.sorted()
        let marks = audited.map { _ in "?" }.joined(separator: ", ")
        let filter = audited.isEmpty ? "" : " AND cluster NOT IN (\(marks))"
        let places = try Row.fetchAll(db, sql: "SELECT id, lastRunId, minMAC, maxMAC FROM place WHERE kind <> 'imported'\(filter)",
                                      arguments: StatementArguments(audited))
        guard !places.isEmpty, !query.macs.isEmpty else { return [] }
        let lookup = OtherClusterLookup(runMACs: query.macs, places: places.map { OtherClusterLookup.Place(id: $0[0], lastRun: $0[1] ?? 0, low: $0[2], high: $0[3]) })
        guard !lookup.places.isEmpty else { return [] }
        let placeRun = Dictionary(lookup.places.map { ($0.id, $0.lastRun) }, uniquingKeysWith: { a, _ in a })
        let holding = try db.cachedStatement(sql: "SELECT id, placeId, lastRunId FROM assignment WHERE mac = ? AND state = 'live'")
        var recorded = try RecordedMACs(db, location: path)
        var candidates: [(id: Int64, lastRun: Int64)] = []
        for mac in try recorded.among(lookup.macs).sorted() {
            for row in try Row.fetchAll(holding, arguments: [mac]) {
                guard let placeRun = placeRun[row[1]] else { continue }
                candidates.append((row[0], max(row[2] as Int64? ?? 0, placeRun)))
            }
        }
        return candidates.filter { (runDates[$0.lastRun] ?? .distantPast) >= query.since }.map(\.id)
    }

    /// Whether the sorted values hold one within `low…high`.
    static func sortedContains(_ sorted: [UInt64], from low: UInt64, through high: UInt64) -> Bool {
        guard low <= high else { return false }
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] < low { lo = mid + 1 } else { hi = mid }
        }
        return lo < sorted.count && sorted[lo] <= high
    }

    static func sortedContains(_ sorted: [UInt64], _ value: UInt64) -> Bool {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo < sorted.count && sorted[lo] == value
    }

    static let assignmentColumns = """
        SELECT a.*, p.cluster, p.host, p.kind, p.source, p.lastRunId AS placeLastRunId FROM assignment a JOIN place p ON p.id = a.placeId
        """

    private func recordedHolder(_ db: Database, id: Int64, _ runDates: [Int64: Date]) throws -> RecordedHolder {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "\(Self.assignmentColumns) WHERE a.id = ?"), arguments: [id]) else {
            throw StoreError.failed(location: path, operation: "reading the database's holders", reason: "assignment \(id) vanished")
        }
        let a = try assignment(row, runDates)
        return RecordedHolder(sighting: a.sighting, lastRunId: a.lastSeenRunId, lastSeen: a.lastSeen)
    }

    /// The holder of an assignment row joined with its place (``assignmentColumns``).
    func sighting(_ row: Row) throws -> HolderSighting {
        let place = PackedSighting.Place(kind: row["kind"], cluster: row["cluster"], host: row["host"], source: row["source"])
        let bytes: Data = row["holder"]
        do {
            return try bytes.withUnsafeBytes { b in
                try PackedSighting.decode(b, mac: MACAddress(stored: row["mac"]), place: place)
            }
        } catch let error as PackedSighting.DecodeError {
            throw StoreError.failed(location: "\(path): assignment \(row["id"] as Int64)", operation: "reading a holder", reason: error.reason)
        }
    }

    /// An assignment row joined with its place; dates from the runs that wrote and saw it.
    func assignment(_ row: Row, _ runDates: [Int64: Date]) throws -> Assignment {
        let sighting = try sighting(row)
        let state = try Self.state(row["state"])
        let firstRun: Int64? = row["firstRunId"], lastRun: Int64? = row["lastRunId"], placeRun: Int64? = row["placeLastRunId"]
        // A live holder was seen by its place's last run; a gone or released one last by its own.
        let seenRun = state == .live ? max(lastRun ?? 0, placeRun ?? 0) : (lastRun ?? 0)
        let goneRun: Int64? = row["goneRunId"]
        return Assignment(sighting: sighting, state: state, firstSeen: firstRun.flatMap { runDates[$0] } ?? .distantPast,
                          lastSeen: runDates[seenRun] ?? .distantPast, firstRunId: firstRun, lastRunId: seenRun == 0 ? nil : seenRun,
                          goneAt: goneRun.flatMap { runDates[$0] })
    }

    public func holderEvents(run: Int64?, holder: String?) throws -> [HolderEvent] {
        try reading("reading holder events") { db in
            var conditions: [String] = [], args: StatementArguments = []
            if let run { conditions.append("runId = ?"); args += [run] }
            if let holder { conditions.append("holderKey = ?"); args += [holder] }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return try Row.fetchAll(db, sql: "SELECT * FROM holderEvent \(filter) ORDER BY id", arguments: args).map { row in
                let kindText: String = row["kind"]
                guard let kind = HolderEvent.Kind(rawValue: kindText) else {
                    throw StoreError.failed(location: path, operation: "reading holder events", reason: "'\(kindText)' is not an event this build knows")
                }
                return HolderEvent(runId: row["runId"], at: try StoredDate.parse(row["at"], "holderEvent.at"), holder: row["holderKey"],
                                   label: row["label"], kind: kind, from: (row["fromMAC"] as Int64?).map(MACAddress.init(stored:)),
                                   to: (row["toMAC"] as Int64?).map(MACAddress.init(stored:)), fromHost: row["fromHost"], toHost: row["toHost"])
            }
        }
    }

    /// Newest first, at most 1,000: holders whose key, VM or name contains `text` (in any case;
    /// an empty text matches every holder). The texts are packed, so rows are read newest first
    /// until enough match.
    public func assignments(of mac: MACAddress) throws -> [Assignment] {
        try reading("reading the holders of \(mac)") { db in
            let runDates = try Self.runDates(db)
            return try Row.fetchAll(db, sql: "\(Self.assignmentColumns) WHERE a.mac = ? ORDER BY a.firstRunId, a.id", arguments: [Int64(bitPattern: mac.value)])
                .map { try assignment($0, runDates) }
        }
    }

    public func assignments(matching text: String) throws -> [Assignment] {
        try reading("reading assignments") { db in
            let runDates = try Self.runDates(db)
            let needle = text.lowercased()
            var out: [Assignment] = []
            let rows = try Row.fetchCursor(db, sql: "\(Self.assignmentColumns) ORDER BY a.id DESC")
            while out.count < 1000, let row = try rows.next() {
                let s = try sighting(row)
                guard needle.isEmpty || [s.key, s.vm ?? "", s.name].contains(where: { $0.lowercased().contains(needle) }) else { continue }
                out.append(try assignment(row, runDates))
            }
            return out
        }
    }
}

/// The query of ``SQLiteStore/useChange(in:after:)`` (PostgreSQL's spells the same with its parameters):
/// per MAC of the range, whether it was first held after the run, or held by then and since left
/// by every holder.
enum UseChangeSQL {
    static let query = """
        SELECT COALESCE(SUM(CASE WHEN firstRun > ?3 THEN 1 ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN firstRun <= ?3 AND live = 0 AND lastGone > ?3 THEN 1 ELSE 0 END), 0)
        FROM (SELECT MIN(firstRunId) AS firstRun, MAX(goneRunId) AS lastGone, SUM(CASE WHEN state = 'live' THEN 1 ELSE 0 END) AS live
              FROM assignment WHERE mac BETWEEN ?1 AND ?2 GROUP BY mac)
        """
}

extension SQLiteStore {
    public func useChange(in ranges: [MACRange], after run: Int64) throws -> UseChange {
        try reading("reading pool use since run \(run)") { db in
            var change = UseChange(appeared: 0, went: 0)
            for range in ranges {
                let row = try Row.fetchOne(db, sql: UseChangeSQL.query, arguments: [range.lower.stored, range.upper.stored, run])
                change.appeared += UInt64(row?[0] as Int64? ?? 0)
                change.went += UInt64(row?[1] as Int64? ?? 0)
            }
            return change
        }
    }
}
