import MACAuditModel
#if canImport(Glibc)
import Glibc
#endif
/// A parsed JSON value, built whole: the envelope around the records, values a decoder reads from the
/// tape, and tests. Objects keep their members in file order in one array (cheaper than a dictionary
/// for the handful of keys an object has).
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// A short name of the value's type, for error messages ("expected a string, found an object").
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }
}

/// A JSON object with the lookups PowerShell's data needs: exact key first, then ASCII case-insensitive
/// (PowerShell property names are case-insensitive, and NC spells `numberofMacAddressesAllocated` both ways).
public struct JSONObject: Sendable {
    /// Members in document order, with a hash of each name's letters folded to lower case: a
    /// lookup compares names only where the hash matches (records are looked up ~20 times each, a
    /// million records per run). One array, so a record costs one allocation, not three.
    private var members: [(key: String, value: JSONValue, folded: UInt32)] = []

    public var keys: [String] { members.map(\.key) }
    public var values: [JSONValue] { members.map(\.value) }

    public init() {}

    public init(_ pairs: KeyValuePairs<String, JSONValue>) {
        for (k, v) in pairs { append(k, v) }
    }

    public mutating func append(_ key: String, _ value: JSONValue) {
        members.append((key, value, Self.foldedHash(key)))
    }

    public subscript(key: String) -> JSONValue? {
        guard let i = index(of: key) else { return nil }
        return members[i].value
    }

    /// The position of `key`: an exact match first, else the first ASCII case-insensitive one.
    func index(of key: String) -> Int? {
        let h = Self.foldedHash(key)
        var folded: Int? = nil
        for i in members.indices where members[i].folded == h {
            if members[i].key == key { return i }
            if folded == nil, members[i].key.caseInsensitiveEquals(key) { folded = i }
        }
        return folded
    }

    /// FNV-1a over the UTF-8 bytes with ASCII letters lower-cased.
    @inline(__always)
    static func foldedHash(_ key: String) -> UInt32 {
        if let h = key.utf8.withContiguousStorageIfAvailable({ foldedHash(UnsafeRawBufferPointer($0)) }) { return h }
        return Array(key.utf8).withUnsafeBytes { foldedHash($0) }
    }

    @inline(__always)
    static func foldedHash(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var h: UInt32 = 0x811C_9DC5
        for b in bytes {
            let c = (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b
            h = (h ^ UInt32(c)) &* 0x0100_0193
        }
        return h
    }

    public func has(_ key: String) -> Bool { self[key] != nil }
}

/// True when `a` and `b` are the same bytes up to ASCII letter case.
@inline(__always)
func asciiCaseInsensitiveEqual(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
    guard a.count == b.count else { return false }
    for i in 0..<a.count where a[i] != b[i] {
        let x = a[i] | 0x20
        guard x == b[i] | 0x20, x >= UInt8(ascii: "a"), x <= UInt8(ascii: "z") else { return false }
    }
    return true
}

extension String {
    /// ASCII case-insensitive comparison without allocating lowered copies.
    package func caseInsensitiveEquals(_ other: String) -> Bool {
        let a = utf8, b = other.utf8
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) where x != y {
            guard x | 0x20 == y | 0x20, (x | 0x20) >= UInt8(ascii: "a"), (x | 0x20) <= UInt8(ascii: "z") else {
                return false
            }
        }
        return true
    }
}
