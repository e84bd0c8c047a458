/// Typed, forgiving access to the fields of one exported record, with errors that name the file,
/// the record and the JSON path.
///
/// Forgiving in the ways PowerShell and the NC differ: enums as integers or strings, booleans as
/// `true` or `"false"`, numbers as strings (`"vlanID": "2"`), string arrays cut by `-Depth` into one
/// space-joined string, nested settings cut into a type-name string (read as absent).
struct RecordFields {
    let object: JSONObject
    let path: String
    let location: SourceLocation

    func child(_ key: String) -> RecordFields? {
        guard case .object(let o)? = object[key] else { return nil }
        return RecordFields(object: o, path: "\(path).\(key)", location: location)
    }

    func children(_ key: String) -> [RecordFields] {
        guard case .array(let items)? = object[key] else { return [] }
        return items.enumerated().compactMap { i, item in
            item.objectValue.map { RecordFields(object: $0, path: "\(path).\(key)[\(i)]", location: location) }
        }
    }

    /// A string field; absent, null and empty read as nil. Numbers are accepted and shown as written
    /// (some exports write ids as numbers); objects and arrays are a type error.
    func string(_ key: String) throws -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let s)?: return s.isEmpty ? nil : s
        case .number(let n)?: return n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
        case .bool(let b)?: return String(b)
        case let other?: throw typeError(key, expected: "a string", found: other)
        }
    }

    /// A MAC field, which must be a string when present.
    func mac(_ key: String) throws -> MACField {
        switch object[key] {
        case nil, .null?: return .absent
        case .string(let s)?: return MACField(parsing: s.trimmingSpaces)
        case let other?: throw typeError(key, expected: "a MAC address string", found: other)
        }
    }

    func bool(_ key: String) throws -> Bool? {
        switch object[key] {
        case nil, .null?: return nil
        case .bool(let b)?: return b
        case .string(let s)?:
            switch s.lowercased() {
            case "true", "1", "yes": return true
            case "false", "0", "no", "": return false
            default: throw IngestError(location: location, path: "\(path).\(key)", message: "expected true or false, found '\(s)'")
            }
        case .number(let n)?: return n != 0
        case let other?: throw typeError(key, expected: "a boolean", found: other)
        }
    }

    func int(_ key: String) throws -> Int? {
        switch object[key] {
        case nil, .null?: return nil
        case .number(let n)?:
            guard n == n.rounded(), abs(n) < 1e15 else {
                throw IngestError(location: location, path: "\(path).\(key)", message: "expected a whole number, found \(n)")
            }
            return Int(n)
        case .string(let s)?:
            if s.isEmpty { return nil }
            guard let n = Int(s.trimmingSpaces) else {
                throw IngestError(location: location, path: "\(path).\(key)", message: "expected a whole number, found '\(s)'")
            }
            return n
        case let other?: throw typeError(key, expected: "a number", found: other)
        }
    }

    /// An enum written as an integer or as its name: returns the name, mapping integers through `names`.
    func enumName(_ key: String, names: [Int: String]) throws -> String? {
        switch object[key] {
        case .number?:
            guard let n = try int(key) else { return nil }
            return names[n] ?? String(n)
        default:
            return try string(key)
        }
    }

    /// An array of strings, or one string (PowerShell joins a string array with spaces when `-Depth`
    /// cuts it off).
    func strings(_ key: String) throws -> [String] {
        switch object[key] {
        case nil, .null?: return []
        case .string(let s)?: return s.split(separator: " ").map(String.init)
        case .array(let items)?:
            var out: [String] = []
            for (i, item) in items.enumerated() {
                switch item {
                case .string(let s): out.append(s)
                case .null: continue
                default:
                    throw IngestError(location: location, path: "\(path).\(key)[\(i)]", message: "expected a string, found \(item.typeName)")
                }
            }
            return out
        case let other?: throw typeError(key, expected: "an array of strings", found: other)
        }
    }

    /// A GUID field, lower-cased and without braces (NC writes upper case, Hyper-V lower, profiles braces).
    func guid(_ key: String) throws -> String? {
        guard let raw = try string(key) else { return nil }
        return normalizedGUID(raw)
    }

    private func typeError(_ key: String, expected: String, found: JSONValue) -> IngestError {
        IngestError(location: location, path: "\(path).\(key)", message: "expected \(expected), found \(found.typeName)")
    }
}

/// Lower-cases a GUID and strips `{}`; empty becomes nil.
func normalizedGUID(_ original: String) -> String? {
    var raw = original
    // The common case, an ASCII GUID without spaces: one pass over the bytes.
    let fast: String?? = raw.withUTF8 { b in
        guard b.allSatisfy({ $0 < 0x80 && $0 != 0x20 && $0 != 0x09 }) else { return .none }
        var lo = 0, hi = b.count
        if lo < hi, b[lo] == UInt8(ascii: "{") { lo += 1 }
        if lo < hi, b[hi - 1] == UInt8(ascii: "}") { hi -= 1 }
        guard lo < hi else { return .some(nil) }
        // Already normal (Hyper-V writes lower case without braces): keep the string as it is.
        if lo == 0, hi == b.count, !b.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) { return .some(original) }
        return .some(String(unsafeUninitializedCapacity: hi - lo) { out in
            for i in lo..<hi { let c = b[i]; out[i - lo] = (c >= 0x41 && c <= 0x5A) ? c | 0x20 : c }
            return hi - lo
        })
    }
    if let fast { return fast }
    var s = original.trimmingSpaces
    if s.hasPrefix("{") { s.removeFirst() }
    if s.hasSuffix("}") { s.removeLast() }
    return s.isEmpty ? nil : s.lowercased()
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}

/// An input that cannot be read, with where in it: the one line the admin sees before exit 2.
public struct IngestError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// `line 3, column 7` or `record 12 (line 340)`.
    public var position: String?
    /// JSON path, e.g. `$[11].MacAddress`.
    public var path: String?
    public var message: String

    public init(file: String, position: String? = nil, path: String? = nil, message: String) {
        self.file = file; self.position = position; self.path = path; self.message = message
    }

    init(location: SourceLocation, path: String, message: String) {
        self.init(file: location.path, position: location.description, path: path, message: message)
    }

    public var description: String {
        var s = file
        if let position { s += ": \(position)" }
        if let path { s += ", at \(path)" }
        return s + ": " + message
    }
}
