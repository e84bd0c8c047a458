import MACAuditModel
/// Bounds-checked reads of untrusted frame bytes, in network byte order. A read past the end
/// returns nil and leaves the cursor where it was; nothing here can trap on short or hostile input.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset: Int

    init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = min(max(0, offset), bytes.count)
    }

    var remaining: Int { bytes.count - offset }

    @inline(__always) mutating func u8() -> UInt8? {
        guard offset < bytes.count else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    @inline(__always) mutating func u16() -> UInt16? {
        guard remaining >= 2 else { return nil }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    @inline(__always) mutating func u32() -> UInt32? {
        guard remaining >= 4 else { return nil }
        defer { offset += 4 }
        return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    /// Six octets as a MAC value.
    @inline(__always) mutating func mac() -> UInt64? {
        guard remaining >= 6 else { return nil }
        var v: UInt64 = 0
        for i in 0..<6 { v = v << 8 | UInt64(bytes[offset + i]) }
        offset += 6
        return v
    }

    /// Sixteen octets as an IPv6 address.
    @inline(__always) mutating func ipv6() -> IPAddress? {
        guard remaining >= 16 else { return nil }
        var hi: UInt64 = 0, lo: UInt64 = 0
        for i in 0..<8 { hi = hi << 8 | UInt64(bytes[offset + i]) }
        for i in 8..<16 { lo = lo << 8 | UInt64(bytes[offset + i]) }
        offset += 16
        return IPAddress(v6High: hi, low: lo)
    }

    @inline(__always) mutating func skip(_ n: Int) -> Bool {
        guard n >= 0, remaining >= n else { return false }
        offset += n
        return true
    }

    /// A reader over the next `n` bytes (a length-delimited field), advancing past them.
    mutating func sub(_ n: Int) -> ByteReader? {
        guard n >= 0, remaining >= n else { return nil }
        let r = ByteReader(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)]))
        offset += n
        return r
    }

    /// The rest of the bytes from the cursor.
    var rest: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[offset...]) }
}
