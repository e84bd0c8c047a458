// Public (and inlinable) so that the stages that use these tables in their hottest loops get them
// specialised and inlined across the target boundary; `package` bodies are not serialised for
// other modules by this toolchain. They are helpers of the stages, not a stable API.

/// A key of a ``FlatIndex``: plain words, hashed by a multiply-xorshift mix.
public protocol FlatKey: Equatable, Sendable {
    static var empty: Self { get }
    var mixed: Int { get }
}

/// One word: a 64-bit fingerprint (the reconciler's adapter ids).
public struct Key1: FlatKey {
    public var a: UInt64
    @inlinable public init(a: UInt64) { self.a = a }
    public static let empty = Key1(a: 0)
    @inlinable @inline(__always) public var mixed: Int { FlatMix.mix(a, 0, 0, 0) }
}

/// Two words: a station (MAC, packed scope).
public struct Key2: FlatKey {
    public var a: UInt64, b: UInt64
    @inlinable public init(a: UInt64, b: UInt64) { self.a = a; self.b = b }
    public static let empty = Key2(a: 0, b: 0)
    @inlinable @inline(__always) public var mixed: Int { FlatMix.mix(a, b, 0, 0) }
}

/// Four words: a claim (MAC | family, scope, IP high, IP low).
public struct Key4: FlatKey {
    public var a: UInt64, b: UInt64, c: UInt64, d: UInt64
    @inlinable public init(a: UInt64, b: UInt64, c: UInt64, d: UInt64) { self.a = a; self.b = b; self.c = c; self.d = d }
    public static let empty = Key4(a: 0, b: 0, c: 0, d: 0)
    @inlinable @inline(__always) public var mixed: Int { FlatMix.mix(a, b, c, d) }
}

public enum FlatMix {
    @inlinable @inline(__always)
    public static func mix(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) -> Int {
        var h = a &* 0x9E37_79B9_7F4A_7C15
        h ^= b &* 0xC2B2_AE3D_27D4_EB4F
        h ^= c &* 0x1656_67B1_9E37_79F9
        h ^= d &* 0x27D4_EB2F_1656_67C5
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        return Int(truncatingIfNeeded: h ^ (h >> 32))
    }
}

/// An open-addressing hash index from a key of plain words to an `Int32` slot, for the per-frame
/// lookups of the sighting table. Swift's `Dictionary` seeds a SipHash per lookup and costs
/// ~70–80 ns more per frame than this (multiply-xorshift mix, linear probing, load ≤ ½, key and
/// value side by side so that a probe touches one cache line).
public struct FlatIndex<Key: FlatKey>: Sendable {
    public struct Slot: Sendable {
        @usableFromInline var key: Key
        @usableFromInline var value: Int32
        @inlinable init(key: Key, value: Int32) { self.key = key; self.value = value }
    }

    @usableFromInline var slots: [Slot]
    @usableFromInline var mask: Int
    @usableFromInline private(set) var count = 0
    /// Dense tables fill to ¾ before growing (the reconciler's million-entry joins, where the
    /// table's size is the audit's peak memory); others to ½ (the per-frame tables, where probes
    /// are what costs).
    @usableFromInline let dense: Bool

    @inlinable public init(capacity: Int = 1024, dense: Bool = false) {
        self.dense = dense
        var size = 16
        while size * (dense ? 3 : 2) < capacity * (dense ? 4 : 4) { size <<= 1 }
        slots = [Slot](repeating: Slot(key: .empty, value: -1), count: size)
        mask = size - 1
    }

    /// The value stored for `key`, or `make()`'s value stored now (with `isNew`).
    @inlinable @inline(__always)
    public mutating func findOrInsert(_ key: Key, make: () -> Int32) -> (value: Int32, isNew: Bool) {
        var i = key.mixed & mask
        let found: Int32? = slots.withUnsafeBufferPointer { s in
            while true {
                let v = s[i].value
                if v < 0 { return nil }
                if s[i].key == key { return v }
                i = (i + 1) & mask
            }
        }
        if let found { return (found, false) }
        let value = make()
        slots[i] = Slot(key: key, value: value)
        count += 1
        if count * (dense ? 4 : 2) > slots.count * (dense ? 3 : 1) { grow() }
        return (value, true)
    }

    /// The value stored for `key`, if any.
    @inlinable @inline(__always)
    public func find(_ key: Key) -> Int32? {
        var i = key.mixed & mask
        return slots.withUnsafeBufferPointer { s in
            while true {
                let v = s[i].value
                if v < 0 { return nil }
                if s[i].key == key { return v }
                i = (i + 1) & mask
            }
        }
    }

    /// Stores `value` for `key`, replacing what was there.
    @inlinable public mutating func set(_ key: Key, _ value: Int32) {
        let (old, isNew) = findOrInsert(key) { value }
        if !isNew, old != value {
            var i = key.mixed & mask
            while slots[i].key != key { i = (i + 1) & mask }
            slots[i].value = value
        }
    }

    @usableFromInline mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Slot(key: .empty, value: -1), count: old.count * 2)
        mask = slots.count - 1
        for slot in old where slot.value >= 0 {
            var i = slot.key.mixed & mask
            while slots[i].value >= 0 { i = (i + 1) & mask }
            slots[i] = slot
        }
    }
}

extension WireScope {
    /// The scope in one word: VLAN + 1 in bits 32–44 (0 = untagged), VNI + 1 in bits 0–24 (0 = none).
    @inlinable @inline(__always) public var packed: UInt64 {
        UInt64(vlan.map { UInt32($0) + 1 } ?? 0) << 32 | UInt64(vni.map { $0 + 1 } ?? 0)
    }
}

extension IPAddress {
    /// Marks IPv6 in a word whose low 48 bits hold a MAC, so ::a.b.c.d and a.b.c.d never collide.
    @inlinable @inline(__always) public var familyBit: UInt64 { isV6 ? 1 << 63 : 0 }
}
