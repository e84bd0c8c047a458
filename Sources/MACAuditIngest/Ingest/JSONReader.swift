import MACAuditModel
#if canImport(Glibc)
import Glibc
#endif
/// A byte-level JSON reader for exports: strict RFC 8259, every read bounds-checked, nesting limited,
/// and errors that name the line, column and JSON path (`$[12].VlanSetting.AccessVlanId`).
///
/// It hands out the *records* of a document one at a time instead of building the whole document, so
/// that memory follows the records kept rather than the file. It understands every envelope PowerShell
/// and the Network Controller write: a bare array, one bare object, `{"value":[…],"Count":n}`,
/// `{"value":[…],"nextLink":""}`, an empty `{"nextLink":""}` and an empty file.
public struct JSONReader: ~Copyable {
    /// Nesting deeper than this is refused; no real export comes close, and recursion stays bounded.
    public static let maximumDepth = 256

    private let bytes: UnsafeRawBufferPointer
    private var offset = 0
    private var path: [PathComponent] = []
    /// False for a reader that re-reads a value an earlier reader checked: it cannot fail, so it
    /// keeps no path (and allocates none).
    private var tracksPath: Bool
    /// The 1-based line of `offset`. Counted where whitespace is skipped: in valid JSON every line
    /// feed is whitespace (inside strings it must be escaped), so no second pass over the bytes.
    private var line = 1

    enum PathComponent {
        case index(Int)
        case key(String)
        /// A member name not yet decoded: its bytes between the quotes (no escapes).
        case rawKey(Int, Int)
    }

    /// Reads from UTF-8 bytes that the caller keeps alive for the reader's lifetime.
    public init(utf8 bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        self.tracksPath = true
    }

    /// Reads the value that starts at `offset` of text an earlier reader already checked (the
    /// offsets on a ``FieldTape``).
    init(utf8 bytes: UnsafeRawBufferPointer, at offset: Int) {
        self.bytes = bytes
        self.offset = offset
        self.tracksPath = false
    }

    @inline(__always) private mutating func pushPath(_ component: PathComponent) { if tracksPath { path.append(component) } }
    @inline(__always) private mutating func setPath(_ component: PathComponent) { if tracksPath { path[path.count - 1] = component } }
    @inline(__always) private mutating func popPath() { if tracksPath { path.removeLast() } }

    /// What the top level of a document turned out to be.
    public enum Envelope: String, Sendable {
        case empty            // zero bytes or only whitespace
        case array            // [ … ]
        case singleObject     // { … } that is itself a record
        case valueCollection  // { "value": [ … ], … }
        case emptyCollection  // { "nextLink": "" }
    }

    /// Where a record starts: its 0-based index among the records, its line and its JSON path.
    public struct RecordPosition: Sendable {
        public let index: Int
        public let line: Int
        /// Byte offset of the record's first byte in the UTF-8 text.
        public var offset = 0
        let prefix: String
        /// False for a document that is one bare record (its path is `$`).
        var inArray = true
        /// `$[12]`, `$.value[12]` or `$`, built only when asked for (an error).
        public var path: String { inArray ? "\(prefix)[\(index)]" : prefix }
    }

    /// Reads the document and calls `body` with every record, whole, in order. Returns the envelope
    /// found and the top-level keys around the records (for `nextLink`).
    public mutating func forEachRecord(
        _ body: (JSONValue, RecordPosition) throws -> Void
    ) throws -> (envelope: Envelope, topLevel: JSONObject) {
        try walkRecords { reader, position in try body(try reader.readValue(depth: 1), position) }
    }

    /// The large-export path: calls `body` with where each record's ``Field`` members start (nil for
    /// a record that is not an object). Everything else is checked for syntax and stepped over
    /// without being built; the decoder reads the values it needs from the offsets.
    mutating func forEachRecordFields(
        _ body: (FieldTape?, RecordPosition) throws -> Void
    ) throws -> (envelope: Envelope, topLevel: JSONObject) {
        var tape = FieldTape()
        return try walkRecords { reader, position in
            let isObject = reader.peek() == UInt8(ascii: "{")
            // The path below the record is not kept while reading (a store per member); a syntax
            // error reads the record again, whole, to say where it is.
            reader.tracksPath = false
            do {
                if isObject {
                    tape.removeAll()
                    try reader.readMembers(into: &tape, depth: 1)
                } else {
                    try reader.skipValue(depth: 1)
                }
            } catch let e as JSONSyntaxError {
                reader.tracksPath = true
                throw reader.locate(e, record: position)
            }
            reader.tracksPath = true
            try body(isObject ? tape : nil, position)
        }
    }

    /// `e` with its full path: the record at `record` read again, whole, by a reader that tracks
    /// where it is (it meets the same error at the same byte: both check the same grammar).
    private func locate(_ e: JSONSyntaxError, record: RecordPosition) -> JSONSyntaxError {
        var again = JSONReader(utf8: bytes)
        again.offset = record.offset
        again.line = record.line
        again.path = path
        do { _ = try again.readValue(depth: 1) } catch let found as JSONSyntaxError { return found } catch {}
        return e
    }

    private mutating func walkRecords(
        _ record: (inout JSONReader, RecordPosition) throws -> Void
    ) throws -> (envelope: Envelope, topLevel: JSONObject) {
        skipWhitespace()
        guard let first = peek() else { return (.empty, JSONObject()) }
        let envelope: Envelope
        var topLevel = JSONObject()
        switch first {
        case UInt8(ascii: "["):
            try readRecordArray(pathPrefix: "$", record)
            envelope = .array
        case UInt8(ascii: "{"):
            (envelope, topLevel) = try readTopLevelObject(record)
        default:
            throw error("a JSON export starts with '[' or '{', found \(describe(first))")
        }
        skipWhitespace()
        if let extra = peek() { throw error("unexpected \(describe(extra)) after the end of the document") }
        return (envelope, topLevel)
    }

    // MARK: - Top level

    private mutating func readRecordArray(
        pathPrefix: String, _ record: (inout JSONReader, RecordPosition) throws -> Void
    ) throws {
        offset += 1  // [
        path.append(.index(0))
        defer { path.removeLast() }
        skipWhitespace()
        if consume(UInt8(ascii: "]")) { return }
        var index = 0
        while true {
            path[path.count - 1] = .index(index)
            skipWhitespace()
            let position = RecordPosition(index: index, line: line, offset: offset, prefix: pathPrefix)
            try record(&self, position)
            index += 1
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            if consume(UInt8(ascii: "]")) { return }
            throw error(peek() == nil ? "the array is not closed: the file ends early" : "expected ',' or ']' after an element, found \(describe(peek()))")
        }
    }

    private mutating func readTopLevelObject(
        _ record: (inout JSONReader, RecordPosition) throws -> Void
    ) throws -> (Envelope, JSONObject) {
        let (startOffset, startLine) = (offset, line)
        offset += 1  // {
        var object = JSONObject()
        var sawValueCollection = false
        skipWhitespace()
        if !consume(UInt8(ascii: "}")) {
            while true {
                skipWhitespace()
                let key = try readKey()
                path.append(.key(key))
                skipWhitespace()
                if key.caseInsensitiveEquals("value"), peek() == UInt8(ascii: "[") {
                    try readRecordArray(pathPrefix: "$.\(key)", record)
                    sawValueCollection = true
                } else {
                    object.append(key, try readValue(depth: 1))
                }
                path.removeLast()
                skipWhitespace()
                if consume(UInt8(ascii: ",")) { continue }
                if consume(UInt8(ascii: "}")) { break }
                throw error(peek() == nil ? "the object is not closed: the file ends early" : "expected ',' or '}' after a member, found \(describe(peek()))")
            }
        }
        if sawValueCollection { return (.valueCollection, object) }
        let envelopeKeys: Set<String> = ["nextlink", "count", "@odata.nextlink"]
        if object.keys.allSatisfy({ envelopeKeys.contains($0.lowercased()) }) && object.has("nextLink") {
            return (.emptyCollection, object)
        }
        // One bare record: read it again as a record.
        let end = (offset, line)
        (offset, line) = (startOffset, startLine)
        try record(&self, RecordPosition(index: 0, line: startLine, offset: startOffset, prefix: "$", inArray: false))
        (offset, line) = end
        return (.singleObject, JSONObject())
    }

    // MARK: - Records

    /// Reads the object at `offset` onto the tape: a node for each ``Field`` member, with the
    /// members of its value when that is an object or an array of objects. Every other value is
    /// checked for syntax and stepped over unbuilt.
    mutating func readMembers(into tape: inout FieldTape, depth: Int) throws {
        guard depth <= Self.maximumDepth else { throw error("nesting is deeper than \(Self.maximumDepth) levels") }
        guard peek() == UInt8(ascii: "{") else { throw error("expected an object, found \(describe(peek()))") }
        offset += 1
        skipWhitespace()
        if consume(UInt8(ascii: "}")) { return }
        let names = FieldNames.shared
        pushPath(.rawKey(0, 0))
        defer { popPath() }
        while true {
            skipWhitespace()
            let match: (field: Field, exact: Bool)?
            if let (start, end) = try rawKey() {
                setPath(.rawKey(start, end))
                match = names.match(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
            } else {
                // A member name with escapes: decode it first.
                let key = try readKey()
                setPath(.key(key))
                match = Field.matching(key)
            }
            skipWhitespace()
            if let match {
                let node = tape.open(match.field.rawValue, exact: match.exact, offset: offset)
                if depth == 1 { tape.noteRootMember(node) }
                switch peek() {
                case UInt8(ascii: "{"): try readMembers(into: &tape, depth: depth + 1)
                case UInt8(ascii: "["): try readElements(into: &tape, depth: depth + 1)
                default: try skipValue(depth: depth + 1)
                }
                tape.close(node)
            } else if peek() == UInt8(ascii: "\"") {
                try skipString()  // the value most often stepped over, without the general dispatch
            } else {
                try skipValue(depth: depth + 1)
            }
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            if consume(UInt8(ascii: "}")) { return }
            throw error(peek() == nil ? "the object is not closed: the file ends early" : "expected ',' or '}' after a member, found \(describe(peek()))")
        }
    }

    /// Reads the array at `offset` under a kept field: its objects go on the tape as elements.
    private mutating func readElements(into tape: inout FieldTape, depth: Int) throws {
        guard depth <= Self.maximumDepth else { throw error("nesting is deeper than \(Self.maximumDepth) levels") }
        offset += 1  // [
        skipWhitespace()
        if consume(UInt8(ascii: "]")) { return }
        pushPath(.index(0))
        defer { popPath() }
        var index = 0
        while true {
            setPath(.index(index))
            skipWhitespace()
            if peek() == UInt8(ascii: "{") {
                let node = tape.open(FieldTape.element, index: index, offset: offset)
                try readMembers(into: &tape, depth: depth + 1)
                tape.close(node)
            } else {
                try skipValue(depth: depth + 1)
            }
            index += 1
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            if consume(UInt8(ascii: "]")) { return }
            throw error(peek() == nil ? "the array is not closed: the file ends early" : "expected ',' or ']' after an element, found \(describe(peek()))")
        }
    }

    /// The elements of the (already checked) array at `offset` when each is a string or null, nulls
    /// left out; nil when another kind of element is there, for the general path to read.
    /// Two passes, the first counting, so that the array is allocated once at its size (a million
    /// adapters keep theirs).
    mutating func stringElements() -> [String]? {
        let start = offset
        var out: [String] = []
        for building in [false, true] {
            offset = start
            guard consume(UInt8(ascii: "[")) else { return nil }
            skipWhitespace()
            if consume(UInt8(ascii: "]")) { return out }
            var count = 0
            while true {
                skipWhitespace()
                switch peek() {
                case UInt8(ascii: "\""):
                    if building { guard let s = try? readString() else { return nil }; out.append(s) } else {
                        guard (try? skipString()) != nil else { return nil }
                        count += 1
                    }
                case UInt8(ascii: "n"): guard (try? expectLiteral("null")) != nil else { return nil }
                default: return nil
                }
                skipWhitespace()
                if consume(UInt8(ascii: ",")) { continue }
                guard consume(UInt8(ascii: "]")) else { return nil }
                break
            }
            if !building { out.reserveCapacity(count) }
        }
        return out
    }

    /// Calls `body` with each element of the array at `offset`, built one at a time.
    mutating func forEachElement(_ body: (Int, JSONValue) throws -> Void) throws {
        guard consume(UInt8(ascii: "[")) else { throw error("expected an array, found \(describe(peek()))") }
        skipWhitespace()
        if consume(UInt8(ascii: "]")) { return }
        var index = 0
        while true {
            try body(index, try readValue(depth: 1))
            index += 1
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            if consume(UInt8(ascii: "]")) { return }
            throw error("expected ',' or ']' after an element, found \(describe(peek()))")
        }
    }

    /// Reads `"name":` when the name has no escapes and returns the byte range of the name; returns
    /// nil (without moving) when it has escapes, so the caller decodes it with ``readKey()``.
    private mutating func rawKey() throws -> (Int, Int)? {
        guard peek() == UInt8(ascii: "\"") else { _ = try readKey(); return nil }  // throws the right error
        let i = Self.plainRun(bytes, from: offset + 1)
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
        let range = (offset + 1, i)
        offset = i + 1
        skipWhitespace()
        guard consume(UInt8(ascii: ":")) else { throw error("expected ':' after a member name") }
        return range
    }

    /// Checks the syntax of a value and steps over it without building anything.
    mutating func skipValue(depth: Int) throws {
        guard depth <= Self.maximumDepth else { throw error("nesting is deeper than \(Self.maximumDepth) levels") }
        skipWhitespace()
        guard let byte = peek() else { throw error("the file ends where a value was expected") }
        switch byte {
        case UInt8(ascii: "{"):
            offset += 1
            skipWhitespace()
            if consume(UInt8(ascii: "}")) { return }
            while true {
                skipWhitespace()
                guard peek() == UInt8(ascii: "\"") else { _ = try readKey(); return }
                try skipString()
                skipWhitespace()
                guard consume(UInt8(ascii: ":")) else { throw error("expected ':' after a member name") }
                try skipValue(depth: depth + 1)
                skipWhitespace()
                if consume(UInt8(ascii: ",")) { continue }
                if consume(UInt8(ascii: "}")) { return }
                throw error(peek() == nil ? "the object is not closed: the file ends early" : "expected ',' or '}' after a member, found \(describe(peek()))")
            }
        case UInt8(ascii: "["):
            offset += 1
            skipWhitespace()
            if consume(UInt8(ascii: "]")) { return }
            while true {
                try skipValue(depth: depth + 1)
                skipWhitespace()
                if consume(UInt8(ascii: ",")) { continue }
                if consume(UInt8(ascii: "]")) { return }
                throw error(peek() == nil ? "the array is not closed: the file ends early" : "expected ',' or ']' after an element, found \(describe(peek()))")
            }
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try expectLiteral("true")
        case UInt8(ascii: "f"): try expectLiteral("false")
        case UInt8(ascii: "n"): try expectLiteral("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try skipNumber()
        default: throw error("expected a value, found \(describe(byte))")
        }
    }

    /// Steps over a string, validating escapes and control characters.
    private mutating func skipString() throws {
        let start = offset
        offset = Self.plainRun(bytes, from: offset + 1)
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") { offset += 1; return }
            if byte == UInt8(ascii: "\\") {
                offset += 1
                var scratch: [UInt8] = []
                try readEscape(into: &scratch)
                continue
            }
            if byte < 0x20 { throw error("a control character (\(describe(byte))) inside a string; it must be escaped") }
            offset += 1
        }
        offset = start
        throw error("a string is not closed: the file ends early")
    }

    // MARK: - Values

    mutating func readValue(depth: Int) throws -> JSONValue {
        guard depth <= Self.maximumDepth else {
            throw error("nesting is deeper than \(Self.maximumDepth) levels")
        }
        skipWhitespace()
        guard let byte = peek() else { throw error("the file ends where a value was expected") }
        switch byte {
        case UInt8(ascii: "{"):
            return .object(try readObject(depth: depth))
        case UInt8(ascii: "["): return .array(try readArray(depth: depth))
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try readNumber())
        default: throw error("expected a value, found \(describe(byte))")
        }
    }

    private mutating func readObject(depth: Int) throws -> JSONObject {
        offset += 1
        var object = JSONObject()
        skipWhitespace()
        if consume(UInt8(ascii: "}")) { return object }
        pushPath(.key(""))
        defer { popPath() }
        while true {
            skipWhitespace()
            let key = try readKey()
            setPath(.key(key))
            object.append(key, try readValue(depth: depth + 1))
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            if consume(UInt8(ascii: "}")) { return object }
            throw error(peek() == nil ? "the object is not closed: the file ends early" : "expected ',' or '}' after a member, found \(describe(peek()))")
        }
    }

    private mutating func readArray(depth: Int) throws -> [JSONValue] {
        offset += 1
        var array: [JSONValue] = []
        skipWhitespace()
        if consume(UInt8(ascii: "]")) { return array }
        pushPath(.index(0))
        defer { popPath() }
        while true {
            setPath(.index(array.count))
            array.append(try readValue(depth: depth + 1))
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            if consume(UInt8(ascii: "]")) { return array }
            throw error(peek() == nil ? "the array is not closed: the file ends early" : "expected ',' or ']' after an element, found \(describe(peek()))")
        }
    }

    /// Reads `"key"` and the `:` after it.
    private mutating func readKey() throws -> String {
        guard peek() == UInt8(ascii: "\"") else {
            throw error(peek() == nil ? "the file ends where a member name was expected" : "expected a member name in double quotes, found \(describe(peek()))")
        }
        let key = try readString()
        skipWhitespace()
        guard consume(UInt8(ascii: ":")) else { throw error("expected ':' after the member name '\(key)'") }
        return key
    }

    mutating func readString() throws -> String {
        let start = offset
        offset += 1  // opening quote
        let contentStart = offset
        // Fast path: no escapes, the bytes are the string.
        offset = Self.plainRun(bytes, from: offset)
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[contentStart..<offset]), as: UTF8.self)
                offset += 1
                return s
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error("a control character (\(describe(byte))) inside a string; it must be escaped") }
            offset += 1
        }
        guard offset < bytes.count else { offset = start; throw error("a string is not closed: the file ends early") }
        var utf8: [UInt8] = []
        utf8.reserveCapacity(2 * (offset - contentStart) + 16)
        utf8.append(contentsOf: run(contentStart..<offset))
        while offset < bytes.count {
            let byte = bytes[offset]
            switch byte {
            case UInt8(ascii: "\""):
                offset += 1
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                offset += 1
                try readEscape(into: &utf8)
            case 0..<0x20:
                throw error("a control character (\(describe(byte))) inside a string; it must be escaped")
            default:
                // The run up to the next quote, escape or control character, copied at once.
                let end = Self.plainRun(bytes, from: offset)
                utf8.append(contentsOf: run(offset..<end))
                offset = end
            }
        }
        offset = start
        throw error("a string is not closed: the file ends early")
    }

    /// Bytes of the text as typed bytes, which arrays append with one copy.
    @inline(__always) private func run(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: bytes.baseAddress.map { ($0 + range.lowerBound).assumingMemoryBound(to: UInt8.self) }, count: range.count)
    }

    private mutating func readEscape(into utf8: inout [UInt8]) throws {
        guard let byte = peek() else { throw error("the file ends inside an escape sequence") }
        offset += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(byte)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try readHex4()
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate must be followed by \u and a low surrogate.
                if peek() == UInt8(ascii: "\\"), offset + 1 < bytes.count, bytes[offset + 1] == UInt8(ascii: "u") {
                    offset += 2
                    let low = try readHex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw error("an unpaired UTF-16 surrogate in a \\u escape") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    throw error("an unpaired UTF-16 surrogate in a \\u escape")
                }
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw error("an unpaired UTF-16 surrogate in a \\u escape")
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw error("an invalid \\u escape") }
            utf8.append(contentsOf: Array(String(Character(unicode)).utf8))
        default:
            offset -= 1
            throw error("an invalid escape '\\\(Character(Unicode.Scalar(byte)))' inside a string")
        }
    }

    private mutating func readHex4() throws -> UInt32 {
        guard offset + 4 <= bytes.count else { throw error("the file ends inside a \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let nibble = MACAddress.hexValue(bytes[offset]) else { throw error("a \\u escape needs four hex digits") }
            value = value << 4 | UInt32(nibble)
            offset += 1
        }
        return value
    }

    private mutating func readNumber() throws -> Double {
        let start = offset
        let isInteger = try skipNumber()
        let digits = UnsafeRawBufferPointer(rebasing: bytes[start..<offset])
        if isInteger, digits.count <= 16 {
            var value: Int64 = 0
            var negative = false
            for byte in digits {
                if byte == UInt8(ascii: "-") { negative = true; continue }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            return Double(negative ? -value : value)
        }
        guard let value = Double(String(decoding: digits, as: UTF8.self)) else { throw error("an unreadable number") }
        return value
    }

    /// Steps over a number, checking its grammar; returns whether it is an integer.
    @discardableResult
    private mutating func skipNumber() throws -> Bool {
        _ = consume(UInt8(ascii: "-"))
        guard let lead = peek(), isDigit(lead) else { throw error("a number needs digits") }
        if lead == UInt8(ascii: "0") { offset += 1 } else { skipDigits() }
        var isInteger = true
        if consume(UInt8(ascii: ".")) {
            isInteger = false
            guard let d = peek(), isDigit(d) else { throw error("a number needs digits after '.'") }
            skipDigits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            isInteger = false
            offset += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { offset += 1 }
            guard let d = peek(), isDigit(d) else { throw error("a number needs digits in its exponent") }
            skipDigits()
        }
        return isInteger
    }

    private mutating func expectLiteral(_ literal: StaticString) throws {
        // The common case in one comparison: the literal's bytes are all there.
        let count = literal.utf8CodeUnitCount
        if offset + count <= bytes.count, memcmp(bytes.baseAddress! + offset, literal.utf8Start, count) == 0 {
            offset += count
            return
        }
        for expected in literal.withUTF8Buffer({ Array($0) }) {
            guard offset < bytes.count else { throw error("the file ends inside '\(literal)'") }
            guard bytes[offset] == expected else { throw error("expected '\(literal)', found \(describe(bytes[offset]))") }
            offset += 1
        }
    }

    // MARK: - Bytes

    /// The offset of the first byte at or after `i` that ends a plain run inside a string: `"`,
    /// `\\` or a control character (or the end). Eight bytes at a time: most of an export is
    /// string content that is skipped, so this loop is where the reader spends its time.
    @inline(__always)
    static func plainRun(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var i = start
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        while i + 8 <= bytes.count {
            let w = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let quote = w ^ (ones &* 0x22), backslash = w ^ (ones &* 0x5C)
            let special = (((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((w &- ones &* 0x20) & ~w)) & highs
            // The lowest marked byte is exact (a borrow only runs upwards from a true match).
            if special != 0 { return i + special.trailingZeroBitCount >> 3 }
            i += 8
        }
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x22 || b == 0x5C || b < 0x20 { return i }
            i += 1
        }
        return i
    }

    @inline(__always) func peek() -> UInt8? { offset < bytes.count ? bytes[offset] : nil }

    @inline(__always) private mutating func consume(_ byte: UInt8) -> Bool {
        guard offset < bytes.count, bytes[offset] == byte else { return false }
        offset += 1
        return true
    }

    @inline(__always) private func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    private mutating func skipDigits() {
        while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
    }

    @inline(__always) private mutating func skipWhitespace() {
        while true {
            // Indentation comes in runs of spaces: eight bytes at a time, then straight to the
            // first byte that is not a space.
            if offset + 8 <= bytes.count {
                let notSpaces = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) ^ 0x2020_2020_2020_2020
                if notSpaces == 0 { offset += 8; continue }
                offset += notSpaces.trailingZeroBitCount >> 3
            }
            guard offset < bytes.count else { return }
            switch bytes[offset] {
            case 0x20, 0x0D, 0x09: offset += 1
            case 0x0A: offset += 1; line += 1
            default: return
            }
        }
    }

    private func describe(_ byte: UInt8?) -> String {
        guard let byte else { return "the end of the file" }
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
    }

    private var pathDescription: String {
        var s = "$"
        for component in path {
            switch component {
            case .index(let i): s += "[\(i)]"
            case .key(let k): s += k.isSimpleIdentifier ? ".\(k)" : "['\(k)']"
            case .rawKey(let start, let end):
                let k = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
                s += k.isSimpleIdentifier ? ".\(k)" : "['\(k)']"
            }
        }
        return s
    }

    private func error(_ message: String) -> JSONSyntaxError {
        let (line, column) = LineCounter.lineAndColumn(in: bytes, at: offset)
        return JSONSyntaxError(message: message, offset: offset, line: line, column: column, path: pathDescription)
    }
}

/// A syntax error with where it is: byte offset in the UTF-8 text, 1-based line and column, JSON path.
public struct JSONSyntaxError: Error, Sendable, Equatable {
    public let message: String
    public let offset: Int
    public let line: Int
    public let column: Int
    public let path: String
}

/// Line arithmetic for error positions and record lines.
enum LineCounter {
    static func lineAndColumn(in bytes: UnsafeRawBufferPointer, at offset: Int) -> (Int, Int) {
        var line = 1
        var lineStart = 0
        let end = min(offset, bytes.count)
        for i in 0..<end where bytes[i] == 0x0A {
            line += 1
            lineStart = i + 1
        }
        // Columns count characters, not bytes: skip UTF-8 continuation bytes.
        var column = 1
        for i in lineStart..<end where bytes[i] & 0xC0 != 0x80 { column += 1 }
        return (line, column)
    }
}

extension String {
    var isSimpleIdentifier: Bool {
        !isEmpty && utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x40
        }
    }
}
