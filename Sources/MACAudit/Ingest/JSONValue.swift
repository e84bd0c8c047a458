/// A parsed JSON value. Objects keep their keys in file order in two parallel arrays, which is cheaper
/// than a dictionary for the 5–40 keys an exported record has.
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
    public var keys: [String] = []
    public var values: [JSONValue] = []

    public init() {}

    public init(_ pairs: KeyValuePairs<String, JSONValue>) {
        for (k, v) in pairs { append(k, v) }
    }

    public mutating func append(_ key: String, _ value: JSONValue) {
        keys.append(key)
        values.append(value)
    }

    public subscript(key: String) -> JSONValue? {
        if let i = keys.firstIndex(of: key) { return values[i] }
        if let i = keys.firstIndex(where: { $0.caseInsensitiveEquals(key) }) { return values[i] }
        return nil
    }

    public func has(_ key: String) -> Bool { self[key] != nil }
}

extension String {
    /// ASCII case-insensitive comparison without allocating lowered copies.
    func caseInsensitiveEquals(_ other: String) -> Bool {
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
