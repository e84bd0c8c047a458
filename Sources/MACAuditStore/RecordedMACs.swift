import GRDB

/// Which of some MACs the assignment table holds in any row, found by leaping through its MAC
/// index: from each MAC not yet settled, one lookup finds the next recorded MAC, and every MAC
/// below it is settled at once. A site whose MACs lie apart from those recorded costs a lookup or
/// two per chunk of holders, not one per holder; MACs interleaved with recorded ones cost at most
/// one lookup each, as a lookup per holder would.
struct RecordedMACs {
    private var next: RawStatement
    private let location: String

    init(_ db: Database, location: String) throws {
        next = RawStatement(try db.cachedStatement(sql: "SELECT mac FROM assignment WHERE mac >= ? ORDER BY mac LIMIT 1"), db,
                            operation: "looking up the audit's MACs")
        self.location = location
    }

    /// The MACs of `macs` (any order, repeats allowed) that some assignment row holds.
    mutating func among(_ macs: [Int64]) throws -> Set<Int64> {
        let sorted = macs.sorted()
        var found = Set<Int64>()
        var i = 0
        while i < sorted.count {
            next.bind(sorted[i])
            guard let recorded = try next.firstInteger(location) else { break }
            i = Self.firstIndex(in: sorted, from: i, notBelow: recorded)
            if i < sorted.count, sorted[i] == recorded {
                found.insert(recorded)
                while i < sorted.count, sorted[i] == recorded { i += 1 }
            }
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
