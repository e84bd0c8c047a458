/// FNV-1a, 64 bits: the stable hash behind finding fingerprints, input digests and script names.
/// Stable across processes and releases (unlike `Hasher`, which is seeded per process), so a value
/// written to the pool database or a file name today means the same thing tomorrow.
///
/// Public, not `package`, for ``basis`` and ``step(_:_:)``: Swift 6.3 does not inline a `package`
/// `@inlinable` function into another module, and a call per byte took 27 ms of a 100k-holder
/// audit's packing.
public struct FNV1a: Sendable {
    package private(set) var value: UInt64 = FNV1a.basis

    package init() {}

    /// The offset basis: the value before any byte.
    @inlinable public static var basis: UInt64 { 0xcbf2_9ce4_8422_2325 }

    /// `value` with `byte` added: for loops that keep the value in a local (a hot loop over bytes
    /// in another module, which would otherwise call ``add(_:)`` once per byte).
    @inlinable public static func step(_ value: UInt64, _ byte: UInt8) -> UInt64 { (value ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }

    package mutating func add(_ byte: UInt8) { value = Self.step(value, byte) }

    package mutating func add<S: Sequence>(_ bytes: S) where S.Element == UInt8 { for b in bytes { add(b) } }

    /// The eight bytes of an integer, lowest first (what the pool database's digests are made of).
    package mutating func add(littleEndian integer: Int64) {
        var v = UInt64(bitPattern: integer), h = value
        for _ in 0..<8 { h = Self.step(h, UInt8(v & 0xFF)); v >>= 8 }
        value = h
    }

    /// A string's UTF-8 bytes, read from its contiguous storage (the generic `add` is not
    /// specialised across modules and walks a `UTF8View` element by element).
    package mutating func add(_ text: String) {
        var text = text
        var v = value
        text.withUTF8 { for b in $0 { v = Self.step(v, b) } }
        value = v
    }

    /// The value as the 16 lower-case hex digits the database, reports and file names use.
    package var hex: String { String(value, radix: 16).leftPadded(to: 16) }
}
