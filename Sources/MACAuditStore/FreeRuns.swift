import GRDB
import MACAudit

/// Keeps `freeRun` equal to "each pool range minus the used MACs" (assignments and pending
/// reservations), one indexed lookup per change: marking a MAC used splits the run holding it,
/// freeing it merges it with its neighbours. That is what makes "the lowest free MAC" and "the
/// largest free run" O(log n) instead of a scan over the used MACs.
enum FreeRuns {
    /// Every range in the database, in memory for bulk work (a fleet has thousands, not millions).
    struct RangeIndex {
        var ranges: [(id: Int64, first: Int64, last: Int64)]
        var maxLast: [Int64]

        init(_ db: Database) throws {
            ranges = try PoolRangeRecord.order(Column("first")).fetchAll(db).map { ($0.id ?? 0, $0.first, $0.last) }
            var running = Int64.min
            maxLast = ranges.map { running = max(running, $0.last); return running }
        }

        /// Ids of the ranges holding `mac`.
        func containing(_ mac: Int64) -> [Int64] {
            var out: [Int64] = []
            forEach(holding: mac) { out.append($0) }
            return out
        }

        /// `body` with the id of each range holding `mac`, without an array per MAC (an audit asks
        /// for each of its holders).
        func forEach(holding mac: Int64, _ body: (Int64) -> Void) {
            var lo = 0, hi = ranges.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if ranges[mid].first <= mac { lo = mid + 1 } else { hi = mid }
            }
            var i = lo - 1
            while i >= 0, maxLast[i] >= mac {
                if ranges[i].last >= mac { body(ranges[i].id) }
                i -= 1
            }
        }
    }

    /// The free run of `range` that holds `mac`, else the first one above it: two primary-key
    /// lookups, whatever number of runs lie below (a scan for `last >= mac` would read them all).
    static func run(_ db: Database, range: Int64, atOrAbove mac: Int64) throws -> (first: Int64, last: Int64)? {
        if let holding = try Row.fetchOne(db.cachedStatement(sql: "SELECT first, last FROM freeRun WHERE rangeId = ? AND first <= ? ORDER BY first DESC LIMIT 1"),
                                          arguments: [range, mac]),
           (holding["last"] as Int64) >= mac {
            return (holding["first"], holding["last"])
        }
        guard let above = try Row.fetchOne(db.cachedStatement(sql: "SELECT first, last FROM freeRun WHERE rangeId = ? AND first > ? ORDER BY first LIMIT 1"),
                                           arguments: [range, mac]) else { return nil }
        return (above["first"], above["last"])
    }

    /// Ids of the ranges holding `mac`, for single changes (bulk work loads a ``RangeIndex``).
    static func rangesContaining(_ db: Database, mac: Int64) throws -> [Int64] {
        try Int64.fetchAll(db, sql: "SELECT id FROM poolRange WHERE first <= ?1 AND last >= ?1", arguments: [mac])
    }

    /// Removes `mac` from the free runs of the given ranges (no-op where it is not free).
    static func markUsed(_ db: Database, mac: Int64, ranges: [Int64]) throws {
        for range in ranges {
            guard let run = try Row.fetchOne(db.cachedStatement(sql: "SELECT first, last FROM freeRun WHERE rangeId = ? AND first <= ? ORDER BY first DESC LIMIT 1"),
                                             arguments: [range, mac]) else { continue }
            let first: Int64 = run[0], last: Int64 = run[1]
            guard last >= mac else { continue }
            try db.cachedStatement(sql: "DELETE FROM freeRun WHERE rangeId = ? AND first = ?").execute(arguments: [range, first])
            if first < mac { try insert(db, range, first, mac - 1) }
            if mac < last { try insert(db, range, mac + 1, last) }
        }
    }

    /// MACs taken in bulk (an audit's new holders, a rebuild), marked used all at once by
    /// ``apply(_:)``: per range, the free runs they fall in are read once, in order, and each is
    /// replaced by what is left of it. A new site of a hundred thousand holders inside a pool
    /// costs a few statements per free run it touches instead of four per holder.
    struct Taken {
        private var macs: [Int64: [Int64]] = [:]
        /// The range of the MACs noted last and those MACs, not yet in `macs`: holders come export
        /// by export, and an export's MACs are mostly in one range.
        private var current: (range: Int64, macs: [Int64]) = (-1, [])

        /// Notes `mac` as used in each range of `ranges` that holds it.
        mutating func add(_ mac: Int64, in ranges: RangeIndex) {
            ranges.forEach(holding: mac) { range in
                if range != current.range {
                    flush()
                    current.range = range
                }
                current.macs.append(mac)
            }
        }

        private mutating func flush() {
            guard !current.macs.isEmpty else { return }
            macs[current.range, default: []].append(contentsOf: current.macs)
            current.macs.removeAll(keepingCapacity: true)
        }

        /// Removes every noted MAC from its ranges' free runs (those not free are left as they are).
        mutating func apply(_ db: Database) throws {
            flush()
            for (range, noted) in macs {
                let used = noted.sortedUnique()
                guard let low = used.first, let high = used.last,
                      let start = try FreeRuns.run(db, range: range, atOrAbove: low)?.first, start <= high else { continue }
                let runs = try Row.fetchAll(db.cachedStatement(sql: """
                    SELECT first, last FROM freeRun WHERE rangeId = ? AND first BETWEEN ? AND ? ORDER BY first
                    """), arguments: [range, start, high]).map { (first: $0[0] as Int64, last: $0[1] as Int64) }
                var removed: [Int64] = [], added: [(first: Int64, last: Int64)] = []
                var u = 0
                for run in runs {
                    while u < used.count, used[u] < run.first { u += 1 }
                    guard u < used.count, used[u] <= run.last else { continue }
                    removed.append(run.first)
                    var next = run.first
                    while u < used.count, used[u] <= run.last {
                        if used[u] > next { added.append((next, used[u] - 1)) }
                        next = used[u] + 1
                        u += 1
                    }
                    if next <= run.last { added.append((next, run.last)) }
                }
                // All removed before any is added: a piece may start where its run did.
                try Self.inBatches(db, removed.map { [$0] }, before: [range], "DELETE FROM freeRun WHERE rangeId = ? AND first IN (", "?", ")")
                try Self.inBatches(db, added.map { [range, $0.first, $0.last] }, "INSERT OR FAIL INTO freeRun (rangeId, first, last) VALUES ", "(?, ?, ?)", "")
            }
            macs = [:]
        }

        /// Rows per statement of ``inBatches`` (inserts `OR FAIL`, as ``SQLiteStore/Inserts`` do: a
        /// failure fails the transaction, so no statement journal): a maximally fragmented pool (a site's MACs
        /// alternating with another's) has a free run per MAC, a million after a fleet's first audit.
        static let batch = 64

        /// Runs `head` + `row` once per row of `rows` (joined by commas) + `tail`, ``batch`` rows
        /// to a statement and the rest in one more; `before` are the values of `head`'s own marks.
        private static func inBatches(_ db: Database, _ rows: [[Int64]], before: [Int64] = [], _ head: String, _ row: String, _ tail: String) throws {
            var start = 0
            while start < rows.count {
                let n = min(batch, rows.count - start)
                let statement = try db.cachedStatement(sql: head + Array(repeating: row, count: n).joined(separator: ", ") + tail)
                try statement.execute(arguments: StatementArguments(before + rows[start..<(start + n)].flatMap { $0 }))
                start += n
            }
        }
    }

    /// Returns `mac` to the free runs of the given ranges, merging with neighbours. The caller
    /// checks that nothing else still uses it.
    static func markFree(_ db: Database, mac: Int64, ranges: [Int64]) throws {
        for range in ranges {
            var first = mac, last = mac
            if let left = try Row.fetchOne(db, sql: "SELECT first, last FROM freeRun WHERE rangeId = ? AND first <= ? ORDER BY first DESC LIMIT 1",
                                           arguments: [range, mac]) {
                let lf: Int64 = left[0], ll: Int64 = left[1]
                if ll >= mac { continue }  // already free
                if ll == mac - 1 {
                    first = lf
                    try db.execute(sql: "DELETE FROM freeRun WHERE rangeId = ? AND first = ?", arguments: [range, lf])
                }
            }
            if let right = try Int64.fetchOne(db, sql: "SELECT last FROM freeRun WHERE rangeId = ? AND first = ?", arguments: [range, mac + 1]) {
                last = right
                try db.execute(sql: "DELETE FROM freeRun WHERE rangeId = ? AND first = ?", arguments: [range, mac + 1])
            }
            try insert(db, range, first, last)
        }
    }

    /// Builds the free runs of a new range from the used MACs inside it, in one ordered pass.
    static func initialise(_ db: Database, range: Int64, first: Int64, last: Int64) throws {
        let used = try Int64.fetchCursor(db, sql: """
            SELECT mac FROM assignment WHERE mac BETWEEN ?1 AND ?2
            UNION SELECT mac FROM reservation WHERE state = 'pending' AND mac BETWEEN ?1 AND ?2
            ORDER BY 1
            """, arguments: [first, last])
        var next = first
        while let mac = try used.next() {
            if mac > next { try insert(db, range, next, mac - 1) }
            next = mac + 1
        }
        if next <= last { try insert(db, range, next, last) }
    }

    static func insert(_ db: Database, _ range: Int64, _ first: Int64, _ last: Int64) throws {
        try db.cachedStatement(sql: "INSERT INTO freeRun (rangeId, first, last) VALUES (?, ?, ?)").execute(arguments: [range, first, last])
    }

    /// True when a live or gone (not yet released) assignment or a pending reservation holds `mac`.
    static func isUsed(_ db: Database, mac: Int64) throws -> Bool {
        try Bool.fetchOne(db, sql: """
            SELECT EXISTS (SELECT 1 FROM assignment WHERE mac = ?1 AND state <> 'released')
                OR EXISTS (SELECT 1 FROM reservation WHERE state = 'pending' AND mac = ?1)
            """, arguments: [mac]) ?? false
    }
}
