/// The sorted set of MACs in use, for counting how many fall in a range in O(log n).
public struct InUseIndex: Sendable {
    public let values: [UInt64]

    @inlinable public init<S: Sequence>(_ macs: S) where S.Element == MACAddress {
        var v = macs.map(\.value)
        v.sort()
        var unique: [UInt64] = []
        unique.reserveCapacity(v.count)
        for x in v where unique.last != x { unique.append(x) }
        values = unique
    }

    /// Number of distinct in-use MACs within `range`.
    public func count(in range: MACRange) -> Int {
        lowerBound(range.upper.value + 1) - lowerBound(range.lower.value)
    }

    func lowerBound(_ x: UInt64) -> Int {
        var lo = 0, hi = values.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if values[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
