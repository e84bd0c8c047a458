/// An inclusive range of MAC addresses, as Hyper-V (`MacAddressMinimum`…`Maximum`), NC macPools
/// (`startMacAddress`…`endMacAddress`) and SCVMM pools all define them.
public struct MACRange: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let lower: MACAddress
    public let upper: MACAddress

    /// Creates a range; nil when `lower` is above `upper`.
    public init?(_ lower: MACAddress, _ upper: MACAddress) {
        guard lower <= upper else { return nil }
        self.lower = lower
        self.upper = upper
    }

    /// The range of every address that starts with `prefix` (the top `bits` bits of it).
    public init(prefix: MACAddress, bits: Int) {
        precondition((0...48).contains(bits), "a MAC prefix has 0 to 48 bits")
        let hostBits = UInt64(48 - bits)
        let mask: UInt64 = hostBits == 48 ? MACAddress.maxValue : (UInt64(1) << hostBits) - 1
        let base = prefix.value & ~mask & MACAddress.maxValue
        self.lower = MACAddress(uncheckedValue: base)
        self.upper = MACAddress(uncheckedValue: base | mask)
    }

    /// Number of addresses, both ends included.
    public var count: UInt64 { upper.value - lower.value + 1 }

    public func contains(_ mac: MACAddress) -> Bool { lower <= mac && mac <= upper }

    public func overlaps(_ other: MACRange) -> Bool { lower <= other.upper && other.lower <= upper }

    /// The addresses both ranges hold, or nil when they are disjoint.
    public func intersection(_ other: MACRange) -> MACRange? {
        MACRange(Swift.max(lower, other.lower), Swift.min(upper, other.upper))
    }

    /// True when every address of the range has the same OUI (SCVMM refuses pools that cross one).
    public var staysWithinOneOUI: Bool { lower.oui == upper.oui }

    public var description: String { "\(lower)…\(upper)" }

    public static func < (a: MACRange, b: MACRange) -> Bool {
        (a.lower, a.upper) < (b.lower, b.upper)
    }
}
