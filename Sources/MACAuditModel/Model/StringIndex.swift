/// A 128-bit fingerprint of a string's UTF-8 bytes (two independent multiply-mix lanes), the key
/// under which ``StringIndex`` files it. Equal strings have equal fingerprints; the index still
/// compares the strings on a hit, so a fingerprint collision can never join two different ids.
package struct StringFingerprint {
    package static func of(_ s: String) -> Key2 {
        var s = s
        return s.withUTF8 { bytes in
            var a: UInt64 = 0x243F_6A88_85A3_08D3 ^ UInt64(bytes.count)
            var b: UInt64 = 0x1319_8A2E_0370_7344 &+ UInt64(bytes.count)
            var i = 0
            let raw = UnsafeRawBufferPointer(bytes)
            while i + 8 <= bytes.count {
                let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                a = (a ^ w) &* 0x9E37_79B9_7F4A_7C15; a ^= a >> 31
                b = (b &+ w) &* 0xC2B2_AE3D_27D4_EB4F; b ^= b >> 29
                i += 8
            }
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < bytes.count { tail |= UInt64(bytes[i]) << shift; shift += 8; i += 1 }
            a = (a ^ tail) &* 0x9E37_79B9_7F4A_7C15; a ^= a >> 31
            b = (b &+ tail) &* 0xC2B2_AE3D_27D4_EB4F; b ^= b >> 29
            // Key2 uses (0, 0) as its empty slot marker; no real fingerprint may be it.
            return Key2(a: a | 1, b: b)
        }
    }
}

/// Strings (adapter ids, NC instance ids) to the first position they were added at, with the other
/// positions of the same string chained behind it. Built for the reconciler's million-entry joins:
/// one flat table probe per lookup instead of a `Dictionary<String, [Int]>` with an array per key.
package struct StringIndex {
    private var table: FlatIndex<Key2>
    /// Per position: the next position with the same string, or -1.
    private var next: [Int32] = []
    /// Per distinct string: its first and its last position.
    private var heads: [(first: Int32, last: Int32)] = []
    private var strings: [String] = []

    package init(capacity: Int) { table = FlatIndex(capacity: capacity) }

    /// Files `s` at `position` (positions are added in increasing order, starting at 0).
    /// Returns the first position the string was filed at, which is `position` when it is new.
    @discardableResult
    package mutating func add(_ s: String, at position: Int) -> Int {
        while next.count <= position { next.append(-1) }
        var key = StringFingerprint.of(s)
        while true {
            let (slot, isNew) = table.findOrInsert(key) { Int32(heads.count) }
            if isNew {
                heads.append((Int32(position), Int32(position)))
                strings.append(s)
                return position
            }
            if strings[Int(slot)] == s {
                next[Int(heads[Int(slot)].last)] = Int32(position)
                heads[Int(slot)].last = Int32(position)
                return Int(heads[Int(slot)].first)
            }
            key.b &+= 0x9E37_79B9_7F4A_7C15  // a fingerprint collision: probe under a derived key
        }
    }

    /// Every position `s` was filed at, in order.
    package func positions(of s: String) -> [Int] {
        var key = StringFingerprint.of(s)
        while let slot = table.find(key) {
            if strings[Int(slot)] == s {
                var out: [Int] = []
                var p = heads[Int(slot)].first
                while p >= 0 { out.append(Int(p)); p = next[Int(p)] }
                return out
            }
            key.b &+= 0x9E37_79B9_7F4A_7C15
        }
        return []
    }
}
