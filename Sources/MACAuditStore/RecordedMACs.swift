import GRDB

/// Which of some MACs the assignment table holds in any row, found by walking its MAC index in
/// step with them. From the first MAC not yet settled the walk seeks the next recorded MAC, which
/// settles every MAC below it at once; it then steps on through the index while each step settles
/// some, and seeks again past a stretch of recorded MACs the run has none among. A site whose MACs
/// lie apart from those recorded costs a seek or two per chunk of holders; MACs interleaved with
/// recorded ones (sites drawing on one central pool) cost a step each, a fraction of a seek.
struct RecordedMACs {
    private var walk: RawStatement
    private let location: String
    /// Steps that settle nothing before the walk seeks instead: a seek costs about as much as a
    /// few steps through the index.
    static let idleSteps = 4

    init(_ db: Database, location: String) throws {
        walk = RawStatement(try db.cachedStatement(sql: "SELECT mac FROM assignment WHERE mac >= ? ORDER BY mac"), db,
                            operation: "looking up the audit's MACs")
        self.location = location
    }

    /// The MACs of `macs` (any order, repeats allowed) that some assignment row holds.
    mutating func among(_ macs: [Int64]) throws -> Set<Int64> {
        let sorted = macs.sorted()
        var found = Set<Int64>()
        var i = 0
        seeking: while i < sorted.count {
            walk.bind(sorted[i])
            var idle = 0
            while idle < Self.idleSteps {
                guard let recorded = try walk.nextInteger(location) else { break seeking }  // nothing recorded above: all settled
                let before = i
                i = Self.firstIndex(in: sorted, from: i, notBelow: recorded)
                if i < sorted.count, sorted[i] == recorded {
                    found.insert(recorded)
                    while i < sorted.count, sorted[i] == recorded { i += 1 }
                }
                guard i < sorted.count else { break }
                idle = i == before ? idle + 1 : 0
            }
            walk.reset()
        }
        return found
    }

    /// The first index at or after `start` whose value is at least `value` (binary search).
    static func firstIndex(in sorted: [Int64], from start: Int, notBelow value: Int64) -> Int {
        var low = start, high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
