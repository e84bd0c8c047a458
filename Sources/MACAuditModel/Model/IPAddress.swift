/// An IPv4 or IPv6 address as integers (no strings on the hot path).
public struct IPAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let high: UInt64
    public let low: UInt64
    public let isV6: Bool

    public init(v4: UInt32) { high = 0; low = UInt64(v4); isV6 = false }
    public init(v6High: UInt64, low: UInt64) { high = v6High; self.low = low; isV6 = true }

    public var isUnspecified: Bool { high == 0 && low == 0 }

    public static func < (a: IPAddress, b: IPAddress) -> Bool { (a.isV6 ? 1 : 0, a.high, a.low) < (b.isV6 ? 1 : 0, b.high, b.low) }

    /// Dotted quad, or RFC 5952 text (lower case, longest zero run compressed).
    public var description: String {
        guard isV6 else { return (0..<4).map { String((low >> UInt64(24 - 8 * $0)) & 0xFF) }.joined(separator: ".") }
        let groups = (0..<8).map { i -> UInt16 in
            let word = i < 4 ? high : low
            return UInt16(truncatingIfNeeded: word >> UInt64(48 - 16 * (i % 4)))
        }
        var bestStart = -1, bestLength = 0, i = 0
        while i < 8 {
            if groups[i] == 0 {
                var j = i
                while j < 8 && groups[j] == 0 { j += 1 }
                if j - i > bestLength && j - i > 1 { (bestStart, bestLength) = (i, j - i) }
                i = j
            } else { i += 1 }
        }
        func hex(_ range: Range<Int>) -> String { range.map { String(groups[$0], radix: 16) }.joined(separator: ":") }
        guard bestStart >= 0 else { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }

    /// Parses dotted-quad IPv4 or textual IPv6 (for NC ipConfigurations and Hyper-V IPAddresses).
    public init?(parsing text: String) {
        if text.contains(":") {
            let halves = text.split(separator: "::", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard halves.count <= 2 else { return nil }
            func words(_ s: String) -> [UInt16]? {
                s.isEmpty ? [] : s.split(separator: ":", omittingEmptySubsequences: false).map { UInt16($0, radix: 16) }.reduce([UInt16]?([])) { acc, w in
                    guard var acc, let w else { return nil }
                    acc.append(w)
                    return acc
                }
            }
            guard let head = words(halves[0]), let tail = halves.count == 2 ? words(halves[1]) : [] else { return nil }
            let fill = 8 - head.count - tail.count
            guard fill >= (halves.count == 2 ? 1 : 0), halves.count == 2 || fill == 0 else { return nil }
            let all = head + Array(repeating: 0, count: fill) + tail
            guard all.count == 8 else { return nil }
            var hi: UInt64 = 0, lo: UInt64 = 0
            for i in 0..<4 { hi = hi << 16 | UInt64(all[i]) }
            for i in 4..<8 { lo = lo << 16 | UInt64(all[i]) }
            self.init(v6High: hi, low: lo)
        } else {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 4 else { return nil }
            var v: UInt32 = 0
            for p in parts {
                guard let n = UInt8(p) else { return nil }
                v = v << 8 | UInt32(n)
            }
            self.init(v4: v)
        }
    }
}
