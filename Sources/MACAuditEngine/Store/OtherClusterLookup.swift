/// How a store finds the live holders of clusters an audit does not cover that hold one of the
/// run's MACs (part of ``HolderRegistry/recordedHolders(_:)``).
///
/// A place whose recorded MAC range holds none of the run's MACs is skipped: sites with prefixes of
/// their own cost each other nothing more. For the places left there are two ways: read their live
/// rows and keep those with one of the run's MACs, or look the run's MACs that lie in one of their
/// ranges up in the MAC index. Looking up suits fleets whose places span everything — random MACs,
/// or sites that draw on one central pool — where reading the places would read every holder of
/// the fleet to find none. A store whose lookup is one index probe per MAC (PostgreSQL's
/// `mac = ANY(…)`) reads instead where the places hold few rows (``looksUp(rows:)``); SQLite's walk
/// through the index in step with the MACs is never the dearer, and always looks up.
public struct OtherClusterLookup: Sendable {
    /// A place of another cluster, with the MAC range of its live holders (nil: not known, so it
    /// may hold any MAC).
    public struct Place: Sendable {
        public let id: Int64, lastRun: Int64, low: Int64?, high: Int64?
        public init(id: Int64, lastRun: Int64, low: Int64?, high: Int64?) {
            self.id = id; self.lastRun = lastRun; self.low = low; self.high = high
        }
    }

    /// The places whose range holds one of the run's MACs.
    public let places: [Place]
    /// The run's MACs that lie in one of those ranges, sorted, each once.
    public let macs: [Int64]

    /// `runMACs`: the run's MACs, sorted, each once.
    public init(runMACs: [UInt64], places all: [Place]) {
        var places: [Place] = [], spans: [(Int, Int)] = []  // index ranges of runMACs inside some place's range
        for place in all {
            let span = place.low.flatMap { low in place.high.map { high in Self.span(runMACs, low, high) } } ?? (0, runMACs.count)
            guard span.0 < span.1 else { continue }
            places.append(place)
            spans.append(span)
        }
        self.places = places
        var macs: [Int64] = [], covered = 0
        for (start, end) in spans.sorted(by: { $0.0 < $1.0 }) where end > covered {
            macs += runMACs[max(start, covered)..<end].map { Int64(bitPattern: $0) }
            covered = end
        }
        self.macs = macs
    }

    /// Counting the places' live rows can stop past this: beyond it, the MACs are looked up.
    public var rowBudget: Int { 2 * macs.count }

    /// Whether to look the MACs up rather than read the places' `rows` live rows (a lookup in the
    /// MAC index costs about what reading two rows of a place does).
    public func looksUp(rows: Int) -> Bool { rows > rowBudget }

    /// The positions in `sorted` of the values within `low…high`, as a half-open range.
    static func span(_ sorted: [UInt64], _ low: Int64, _ high: Int64) -> (Int, Int) {
        guard low <= high else { return (0, 0) }
        return (firstIndex(sorted, notBelow: UInt64(max(low, 0))), firstIndex(sorted, above: UInt64(max(high, 0))))
    }

    private static func firstIndex(_ sorted: [UInt64], notBelow value: UInt64) -> Int {
        var lo = 0, hi = sorted.count
        while lo < hi { let mid = (lo + hi) / 2; if sorted[mid] < value { lo = mid + 1 } else { hi = mid } }
        return lo
    }

    private static func firstIndex(_ sorted: [UInt64], above value: UInt64) -> Int {
        var lo = 0, hi = sorted.count
        while lo < hi { let mid = (lo + hi) / 2; if sorted[mid] <= value { lo = mid + 1 } else { hi = mid } }
        return lo
    }
}
