/// Answers "which pools contain this MAC" in O(log n + k) for any number of possibly overlapping
/// pools: pools sorted by lower bound, with a running maximum of upper bounds to know when to stop.
public struct PoolIndex: Sendable {
    public let pools: [Pool]
    private let maxUpper: [UInt64]

    public init(_ pools: [Pool]) {
        let sorted = pools.sorted { ($0.range, $0.name) < ($1.range, $1.name) }
        self.pools = sorted
        var running: UInt64 = 0
        self.maxUpper = sorted.map { running = max(running, $0.range.upper.value); return running }
    }

    /// Every pool whose range holds `mac`, in range order.
    public func pools(containing mac: MACAddress) -> [Pool] {
        var out: [Pool] = []
        forEachPool(containing: mac) { out.append($0) }
        return out
    }

    public func forEachPool(containing mac: MACAddress, _ body: (Pool) -> Void) {
        // Last pool whose lower bound is <= mac.
        var lo = 0, hi = pools.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if pools[mid].range.lower <= mac { lo = mid + 1 } else { hi = mid }
        }
        var i = lo - 1
        var found: [Pool] = []
        while i >= 0, maxUpper[i] >= mac.value {
            if pools[i].range.contains(mac) { found.append(pools[i]) }
            i -= 1
        }
        found.reversed().forEach(body)
    }
}
