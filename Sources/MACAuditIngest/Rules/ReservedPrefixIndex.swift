import MACAuditModel
/// Finds the first reserved prefix (in rule-file order) that matches a MAC in O(log n) instead of
/// trying every entry: ranges sorted by lower bound with a running maximum of upper bounds, and
/// the few quadrant entries tried only for locally administered addresses.
package struct ReservedPrefixIndex {
    private let entries: [ReservedPrefix]
    private let ranges: [(range: MACRange, order: Int)]
    private let maxUpper: [UInt64]
    private let quadrants: [(quadrant: SLAPQuadrant, order: Int)]

    package init(_ prefixes: [ReservedPrefix]) {
        entries = prefixes
        var ranges: [(range: MACRange, order: Int)] = []
        var quadrants: [(quadrant: SLAPQuadrant, order: Int)] = []
        for (order, p) in prefixes.enumerated() {
            switch p.match {
            case .range(let r): ranges.append((r, order))
            case .quadrant(let q): quadrants.append((q, order))
            }
        }
        ranges.sort { $0.range.lower < $1.range.lower }
        var running: UInt64 = 0
        maxUpper = ranges.map { running = max(running, $0.range.upper.value); return running }
        self.ranges = ranges
        self.quadrants = quadrants
    }

    package func firstMatch(_ mac: MACAddress) -> ReservedPrefix? {
        var best = Int.max
        var lo = 0, hi = ranges.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ranges[mid].range.lower <= mac { lo = mid + 1 } else { hi = mid }
        }
        var i = lo - 1
        while i >= 0, maxUpper[i] >= mac.value {
            if ranges[i].range.contains(mac) { best = min(best, ranges[i].order) }
            i -= 1
        }
        if let q = mac.slapQuadrant {
            for entry in quadrants where entry.quadrant == q { best = min(best, entry.order) }
        }
        return best == Int.max ? nil : entries[best]
    }
}
