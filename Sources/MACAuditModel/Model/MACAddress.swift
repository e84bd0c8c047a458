/// A 48-bit IEEE 802 MAC address, held as an integer so that comparing, sorting and range arithmetic
/// never touch strings.
///
/// Parsed once at the edge from any spelling admins meet — `00155D010203` (Hyper-V, NC),
/// `00-15-5D-01-02-03` (NC pools, Get-NetAdapter), `00:15:5d:01:02:03` (SCVMM, Linux) and
/// `0015.5d01.0203` (Cisco) — in any case, and always shown canonically as `00-15-5D-01-02-03`.
public struct MACAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The address as the low 48 bits of an integer; octet 0 is the most significant.
    public let value: UInt64

    /// The largest value a MAC can hold (`FF-FF-FF-FF-FF-FF`).
    public static let maxValue: UInt64 = 0xFFFF_FFFF_FFFF
    /// `00-00-00-00-00-00`: Hyper-V's "no dynamic MAC assigned yet", SCVMM's "allocate one".
    public static let placeholder = MACAddress(uncheckedValue: 0)
    public static let broadcast = MACAddress(uncheckedValue: maxValue)

    /// Creates an address from an integer; values above 48 bits are refused.
    public init?(value: UInt64) {
        guard value <= Self.maxValue else { return nil }
        self.value = value
    }

    package init(uncheckedValue: UInt64) { self.value = uncheckedValue & Self.maxValue }

    /// Parses any accepted spelling, or throws a ``MACParseError`` that says what is wrong.
    public init(parsing text: String) throws(MACParseError) {
        var copy = text
        let result: Result<UInt64, MACParseError> = copy.withUTF8 { Self.parse(bytes: $0) }
        switch result {
        case .success(let v): self.value = v
        case .failure(let e): throw e
        }
    }

    /// Parses raw UTF-8 bytes without allocating; the fast path for large exports.
    public static func parse(bytes: UnsafeBufferPointer<UInt8>) -> Result<UInt64, MACParseError> {
        var digits = 0
        var value: UInt64 = 0
        var separator: UInt8 = 0
        var groupLength = 0
        for (i, byte) in bytes.enumerated() {
            if let nibble = hexValue(byte) {
                guard digits < 12 else { return .failure(.wrongLength(digitCount: digits + 1)) }
                value = value << 4 | UInt64(nibble)
                digits += 1
                groupLength += 1
            } else if byte == UInt8(ascii: "-") || byte == UInt8(ascii: ":") || byte == UInt8(ascii: ".") {
                if separator != 0 && separator != byte { return .failure(.mixedSeparators) }
                separator = byte
                guard groupLength == groupSize(separator) else { return .failure(.misplacedSeparator) }
                groupLength = 0
            } else {
                return .failure(.invalidCharacter(character(at: i, in: bytes)))
            }
        }
        guard digits == 12 else { return .failure(.wrongLength(digitCount: digits)) }
        if separator != 0 && groupLength != groupSize(separator) { return .failure(.misplacedSeparator) }
        return .success(value)
    }

    /// The character whose UTF-8 starts at `i` (not just its first byte: `٠` is not `Ù`); U+FFFD
    /// for bytes that are not UTF-8.
    static func character(at i: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Character {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[i..<min(i + 4, bytes.count)]), as: UTF8.self).first ?? "\u{FFFD}"
    }

    /// Digits between separators: `0015.5d01.0203` groups by four, the others by two.
    @inline(__always)
    static func groupSize(_ separator: UInt8) -> Int { separator == UInt8(ascii: ".") ? 4 : 2 }

    @inline(__always)
    package static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte &- UInt8(ascii: "A") &+ 10
        default: return nil
        }
    }

    /// The six octets, most significant first.
    public var octets: [UInt8] { (0..<6).map { UInt8(truncatingIfNeeded: value >> UInt64(40 - 8 * $0)) } }

    /// Canonical form `00-15-5D-01-02-03`.
    public var description: String { formatted(separator: "-") }

    /// Hyper-V's form `00155D010203` (what `Set-VMNetworkAdapter -StaticMacAddress` and NC take).
    public var hyperVForm: String { formatted(separator: "") }

    /// The six octets as upper-case hex pairs with `separator` between them. Built in one
    /// allocation: reports and messages format a MAC for every finding.
    public func formatted(separator: String) -> String {
        let between = Array(separator.utf8)
        let value = self.value
        return String(unsafeUninitializedCapacity: 12 + 5 * between.count) { out in
            var i = 0
            for k in 0..<6 {
                if k > 0 { for b in between { out[i] = b; i += 1 } }
                let octet = UInt8(truncatingIfNeeded: value >> UInt64(40 - 8 * k))
                out[i] = Self.hexDigits[Int(octet >> 4)]
                out[i + 1] = Self.hexDigits[Int(octet & 0xF)]
                i += 2
            }
            return i
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// The first octet, which carries the I/G and U/L bits.
    public var firstOctet: UInt8 { UInt8(truncatingIfNeeded: value >> 40) }
    /// The I/G bit: a group (multicast or broadcast) address, never valid as a NIC's source.
    public var isGroup: Bool { firstOctet & 0x01 != 0 }
    /// The U/L bit: locally administered, not assigned by the IEEE.
    public var isLocal: Bool { firstOctet & 0x02 != 0 }
    /// The all-zero placeholder: a dynamic MAC not yet assigned, never an address.
    public var isPlaceholder: Bool { value == 0 }
    public var isBroadcast: Bool { value == Self.maxValue }
    /// The 24-bit organisationally unique identifier (first three octets).
    public var oui: UInt32 { UInt32(truncatingIfNeeded: value >> 24) }

    /// The IEEE 802c SLAP quadrant of a locally administered address, nil for universal ones.
    public var slapQuadrant: SLAPQuadrant? {
        guard isLocal else { return nil }
        switch (firstOctet >> 2) & 0x3 {  // bit 2 = Y, bit 3 = Z
        case 0b00: return .administrativelyAssigned
        case 0b10: return .extendedLocal
        case 0b11: return .standardAssigned
        default: return .reserved
        }
    }

    public static func < (a: MACAddress, b: MACAddress) -> Bool { a.value < b.value }

    /// The next address, or nil past `FF-FF-FF-FF-FF-FF`.
    public var successor: MACAddress? { MACAddress(value: value + 1) }
}

/// IEEE 802c Structured Local Address Plan quadrants, named by the second hex digit of the first octet.
public enum SLAPQuadrant: String, Sendable, CaseIterable {
    /// `x2`: administratively assigned (AAI) — what admins and SDN pools should use.
    case administrativelyAssigned = "AAI"
    /// `xA`: extended local identifier (ELI), derived from a CID.
    case extendedLocal = "ELI"
    /// `xE`: standard assigned identifier (SAI), assigned by a protocol.
    case standardAssigned = "SAI"
    /// `x6`: reserved by IEEE 802c for future use.
    case reserved = "reserved"
}

/// Why a string is not a MAC address; the text quotes what was wrong.
public enum MACParseError: Error, Hashable, Sendable, CustomStringConvertible {
    case wrongLength(digitCount: Int)
    case invalidCharacter(Character)
    case mixedSeparators
    case misplacedSeparator

    public var description: String {
        switch self {
        case .wrongLength(let n): return "has \(n) hex digits, a MAC has 12"
        case .invalidCharacter(let c): return "contains '\(c)', which is neither a hex digit nor a separator"
        case .mixedSeparators: return "mixes separators"
        case .misplacedSeparator: return "has separators in the wrong places"
        }
    }
}
