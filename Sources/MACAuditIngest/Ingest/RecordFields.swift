import MACAuditModel
/// Typed, forgiving access to the fields of one exported record, with errors that name the file,
/// the record and the JSON path.
///
/// It reads values straight from the export's text at the offsets the reader noted
/// (``FieldTape``), building only what the decoder asks for. Valid only while the text is (inside
/// the reader's callback).
///
/// Forgiving in the ways PowerShell and the NC differ: enums as integers or strings, booleans as
/// `true` or `"false"`, numbers as strings (`"vlanID": "2"`), string arrays cut by `-Depth` into one
/// space-joined string, nested settings cut into a type-name string (read as absent).
struct RecordFields {
    let text: UnsafeRawBufferPointer
    let tape: FieldTape
    /// This object's node on the tape (``FieldTape/root`` for the record).
    let node: Int
    /// Where the record is (its path is built only for an error message).
    let record: JSONReader.RecordPosition
    /// The path below the record: empty for the record itself, `.VlanSetting` for a child.
    let subpath: FieldPath
    let location: SourceLocation

    var path: String { record.path + subpath.description }

    func has(_ field: Field) -> Bool { tape.member(of: node, field) != nil }

    /// The value of a field, built whole (nil when the record lacks it).
    func value(_ field: Field) -> JSONValue? {
        guard let member = tape.member(of: node, field) else { return nil }
        var reader = JSONReader(utf8: text, at: tape.nodes[member].offset)
        return try? reader.readValue(depth: 1)  // checked by the reader already: cannot fail
    }

    /// Whether the field's value satisfies `predicate`, or for an array, any of its elements
    /// (built one at a time, not as an array). False when the field is absent.
    func contains(_ field: Field, where predicate: (JSONValue) -> Bool) -> Bool {
        guard let member = tape.member(of: node, field) else { return false }
        let offset = tape.nodes[member].offset
        var reader = JSONReader(utf8: text, at: offset)
        guard text[offset] == UInt8(ascii: "[") else { return (try? reader.readValue(depth: 1)).map(predicate) ?? false }
        var found = false
        try? reader.forEachElement { _, item in found = found || predicate(item) }
        return found
    }

    /// The object under a field; nil when absent or not an object.
    func child(_ field: Field) -> RecordFields? {
        guard let member = tape.member(of: node, field), text[tape.nodes[member].offset] == UInt8(ascii: "{") else { return nil }
        return RecordFields(text: text, tape: tape, node: member, record: record, subpath: subpath.appending(field), location: location)
    }

    /// The objects of an array under a field (other elements are skipped).
    func children(_ field: Field) -> [RecordFields] {
        guard let member = tape.member(of: node, field), text[tape.nodes[member].offset] == UInt8(ascii: "[") else { return [] }
        return tape.elements(of: member).map { element in
            RecordFields(text: text, tape: tape, node: element, record: record,
                         subpath: subpath.appending(field, index: Int(tape.nodes[element].index)), location: location)
        }
    }

    /// A string field; absent, null and empty read as nil. Numbers are accepted and shown as written
    /// (some exports write ids as numbers); objects and arrays are a type error.
    func string(_ key: Field) throws -> String? {
        // The common cases read straight (no value built around them): a string without escapes,
        // then any string.
        guard let offset = valueOffset(key) else { return nil }
        if let raw = plainString(at: offset) { return raw.isEmpty ? nil : String(decoding: raw, as: UTF8.self) }
        if text[offset] == UInt8(ascii: "\"") {
            var reader = JSONReader(utf8: text, at: offset)
            let s = (try? reader.readString()) ?? ""
            return s.isEmpty ? nil : s
        }
        switch value(key) {
        case nil, .null?: return nil
        case .string(let s)?: return s.isEmpty ? nil : s
        case .number(let n)?: return n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
        case .bool(let b)?: return String(b)
        case let other?: throw typeError(key, expected: "a string", found: other)
        }
    }

    /// As ``string(_:)``, sharing one copy of a value that repeats across the file (a switch name):
    /// when the text is one of the interner's recent values, no string is built.
    func string(_ key: Field, interningIn strings: inout StringInterner) throws -> String? {
        if let raw = plainString(key), let shared = strings.recent(matching: raw) { return shared }
        return strings.intern(try string(key))
    }

    /// As ``guid(_:)``, shared the same way (an interned GUID is already normal, so text equal to it
    /// normalises to it).
    func guid(_ key: Field, interningIn strings: inout StringInterner) throws -> String? {
        if let raw = plainString(key), let shared = strings.recent(matching: raw) { return shared }
        return strings.intern(try guid(key))
    }

    /// Whether the GUID field's text is the VM id inside the adapter Id `id` (as
    /// `Adapter.adapterId(_:holds:)` would find after normalising it).
    func guidText(_ key: Field, isInAdapterId id: String?) throws -> Bool {
        guard var id else { return false }
        if let raw = plainString(key),
           let fast = id.withUTF8({ Adapter.adapterId(UnsafeRawBufferPointer($0), holdsGUID: raw) }) {
            return fast
        }
        return try guid(key).map { Adapter.adapterId(id, holds: $0) } ?? false
    }

    /// Where the field's value starts in the text; nil when the object lacks the field.
    private func valueOffset(_ key: Field) -> Int? {
        tape.member(of: node, key).map { tape.nodes[$0].offset }
    }

    /// A whole number written plainly (no fraction, exponent or quotes); nil for anything else.
    func plainInt(_ key: Field) -> Int? {
        valueOffset(key).flatMap(plainInt(at:))
    }

    /// The bytes of a string value without escapes, between its quotes; nil otherwise.
    func plainString(_ key: Field) -> UnsafeRawBufferPointer? {
        valueOffset(key).flatMap(plainString(at:))
    }

    private func plainString(at start: Int) -> UnsafeRawBufferPointer? {
        guard text[start] == UInt8(ascii: "\"") else { return nil }
        let end = JSONReader.plainRun(text, from: start + 1)
        guard end < text.count, text[end] == UInt8(ascii: "\"") else { return nil }
        return UnsafeRawBufferPointer(rebasing: text[(start + 1)..<end])
    }

    /// A whole number written plainly (`-12`, at most 15 digits), read without conversion through
    /// a double; nil for anything else (fractions, exponents, strings), which the general path reads.
    private func plainInt(at start: Int) -> Int? {
        var i = start
        let negative = text[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        let first = i
        var n = 0
        while i < text.count, i - first <= 15 {
            let digit = text[i] &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            n = n * 10 + Int(digit)
            i += 1
        }
        guard i > first, i - first <= 15 else { return nil }
        if i < text.count, case let next = text[i],
           next == UInt8(ascii: ".") || next == UInt8(ascii: "e") || next == UInt8(ascii: "E") { return nil }
        return negative ? -n : n
    }

    /// A MAC field, which must be a string when present.
    func mac(_ key: Field) throws -> MACField {
        // The common case: a well-formed MAC without escapes, parsed from the bytes.
        if let raw = plainString(key), case .success(let value) = MACAddress.parse(bytes: raw.assumingMemoryBound(to: UInt8.self)),
           let mac = MACAddress(value: value) {
            return .valid(mac)
        }
        switch value(key) {
        case nil, .null?: return .absent
        case .string(let s)?: return MACField(parsing: s.trimmingSpaces)
        case let other?: throw typeError(key, expected: "a MAC address string", found: other)
        }
    }

    func bool(_ key: Field) throws -> Bool? {
        guard let offset = valueOffset(key) else { return nil }
        switch text[offset] {
        case UInt8(ascii: "t"): return true
        case UInt8(ascii: "f"): return false
        case UInt8(ascii: "n"): return nil
        default: break
        }
        switch value(key) {
        case nil, .null?: return nil
        case .bool(let b)?: return b
        case .string(let s)?:
            switch s.lowercased() {
            case "true", "1", "yes": return true
            case "false", "0", "no", "": return false
            default: throw IngestError(location: location, path: "\(path).\(key.name)", message: "expected true or false, found '\(s)'")
            }
        case .number(let n)?: return n != 0
        case let other?: throw typeError(key, expected: "a boolean", found: other)
        }
    }

    func int(_ key: Field) throws -> Int? {
        guard let offset = valueOffset(key) else { return nil }
        if let n = plainInt(at: offset) { return n }
        switch value(key) {
        case nil, .null?: return nil
        case .number(let n)?:
            guard n == n.rounded(), abs(n) < 1e15 else {
                throw IngestError(location: location, path: "\(path).\(key.name)", message: "expected a whole number, found \(n)")
            }
            return Int(n)
        case .string(let s)?:
            if s.isEmpty { return nil }
            guard let n = Int(s.trimmingSpaces) else {
                throw IngestError(location: location, path: "\(path).\(key.name)", message: "expected a whole number, found '\(s)'")
            }
            return n
        case let other?: throw typeError(key, expected: "a number", found: other)
        }
    }

    /// An enum written as an integer or as its name: returns the name, mapping integers through `names`.
    func enumName(_ key: Field, names: [Int: String]) throws -> String? {
        guard let offset = valueOffset(key) else { return nil }
        switch text[offset] {
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            guard let n = try int(key) else { return nil }
            return names[n] ?? String(n)
        default:
            return try string(key)
        }
    }

    /// An array of strings, or one string (PowerShell joins a string array with spaces when `-Depth`
    /// cuts it off).
    func strings(_ key: Field) throws -> [String] {
        guard let member = tape.member(of: node, key) else { return [] }
        let offset = tape.nodes[member].offset
        guard text[offset] == UInt8(ascii: "[") else {
            switch value(key) {
            case nil, .null?: return []
            case .string(let s)?: return s.split(separator: " ").map(String.init)
            case let other?: throw typeError(key, expected: "an array of strings", found: other)
            }
        }
        // The common case: strings, read straight into the array.
        var strings = JSONReader(utf8: text, at: offset)
        if let plain = strings.stringElements() { return plain }
        // Element by element: no array of values on the way.
        var out: [String] = []
        var reader = JSONReader(utf8: text, at: offset)
        try reader.forEachElement { i, item in
            switch item {
            case .string(let s): out.append(s)
            case .null: break
            default:
                throw IngestError(location: location, path: "\(path).\(key.name)[\(i)]", message: "expected a string, found \(item.typeName)")
            }
        }
        return out
    }

    /// A GUID field, lower-cased and without braces (NC writes upper case, Hyper-V lower, profiles braces).
    func guid(_ key: Field) throws -> String? {
        if let raw = plainString(key), let fast = normalizedGUID(utf8: raw, original: nil) { return fast }
        guard let raw = try string(key) else { return nil }
        return normalizedGUID(raw)
    }

    private func typeError(_ key: Field, expected: String, found: JSONValue) -> IngestError {
        IngestError(location: location, path: "\(path).\(key.name)", message: "expected \(expected), found \(found.typeName)")
    }
}

/// Where a nested object is below its record (`.properties.ipConfigurations[0]`), kept as numbers:
/// decoders step into a million nested objects and an error message needs the text once.
struct FieldPath: CustomStringConvertible {
    /// Up to four steps, each the field's raw value + 1 and (index + 1) << 8; deeper steps (no
    /// decoder goes there) are spelled out in `deeper`.
    private var steps: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private var count = 0
    private var deeper = ""

    init() {}

    func appending(_ field: Field, index: Int? = nil) -> FieldPath {
        var path = self
        let step = UInt64(field.rawValue) + 1 | UInt64((index ?? -1) + 1) << 8
        switch count {
        case 0: path.steps.0 = step
        case 1: path.steps.1 = step
        case 2: path.steps.2 = step
        case 3: path.steps.3 = step
        default: path.deeper += Self.text(step)
        }
        path.count += 1
        return path
    }

    var description: String {
        [steps.0, steps.1, steps.2, steps.3].prefix(min(count, 4)).map(Self.text).joined() + deeper
    }

    private static func text(_ step: UInt64) -> String {
        let field = Field(rawValue: UInt8((step & 0xFF) - 1))!
        let index = step >> 8
        return ".\(field.name)" + (index > 0 ? "[\(index - 1)]" : "")
    }
}

