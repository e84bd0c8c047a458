import MACAuditModel
import Foundation

/// A value the JSON report streams. The report's layout is Foundation's `JSONEncoder` with
/// `.sortedKeys`, `.prettyPrinted` and `.withoutEscapingSlashes` (two spaces a level, `"key" : value`,
/// members sorted by their UTF-8 bytes, `[\n\n]` for an empty array), kept byte for byte so that
/// consumers and diffs of nightly reports see no change from how the report is produced.
///
/// Any `Encodable` gets a writer that encodes it with Foundation and indents the result (right by
/// construction, and fine for the small parts of a report); the types a report holds hundreds of
/// thousands of — findings, subjects, evidence, stations, proposals — write themselves, and a test
/// compares the whole report with Foundation's encoding of the same values.
public protocol JSONWritable: Encodable {
    /// Writes the value as it would appear `depth` levels deep (its first line not indented).
    func write(json out: inout ReportSink, depth: Int) throws
}

extension JSONWritable {
    public func write(json out: inout ReportSink, depth: Int) throws { try JSON.encodeWithFoundation(self, depth: depth, into: &out) }
}

/// The pieces of the pretty-printed, key-sorted JSON layout.
public enum JSON {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return encoder
    }

    /// `value` through Foundation's encoder, each line after the first indented `depth` levels.
    static func encodeWithFoundation<T: Encodable>(_ value: T, depth: Int, into out: inout ReportSink) throws {
        let bytes = [UInt8](try encoder().encode(value))
        for (i, byte) in bytes.enumerated() {
            out.append(byte)
            // The blank line inside an empty array or object stays blank.
            if byte == UInt8(ascii: "\n"), i + 1 < bytes.count, bytes[i + 1] != UInt8(ascii: "\n") { indent(depth, into: &out) }
        }
    }

    @inline(__always) static func indent(_ depth: Int, into out: inout ReportSink) {
        for _ in 0..<depth { out.append(UInt8(ascii: " ")); out.append(UInt8(ascii: " ")) }
    }

    /// A string literal, escaped as Foundation escapes it: `"` and `\`, `\b \f \n \r \t` by name, other
    /// control characters as `\u00XX` (lower-case hex); `/`, DEL and everything above ASCII as is.
    static func string(_ text: String, into out: inout ReportSink) {
        out.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var start = 0
            for i in 0..<bytes.count {
                let b = bytes[i]
                guard b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") else { continue }
                out.append(bytes: UnsafeBufferPointer(rebasing: bytes[start..<i]))
                start = i + 1
                out.append(UInt8(ascii: "\\"))
                switch b {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(b)
                case 0x08: out.append(UInt8(ascii: "b"))
                case 0x0C: out.append(UInt8(ascii: "f"))
                case 0x0A: out.append(UInt8(ascii: "n"))
                case 0x0D: out.append(UInt8(ascii: "r"))
                case 0x09: out.append(UInt8(ascii: "t"))
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    out.append("u00")
                    out.append(hex[Int(b >> 4)]); out.append(hex[Int(b & 15)])
                }
            }
            out.append(bytes: UnsafeBufferPointer(rebasing: bytes[start..<bytes.count]))
        }
        out.append(UInt8(ascii: "\""))
    }

    static func integer<I: BinaryInteger>(_ value: I, into out: inout ReportSink) { out.append(String(value)) }

    /// Writes an object whose members come in sorted order: `member` opens each one (`,` and a new
    /// line before all but the first) and `close` ends the object.
    struct Object {
        let depth: Int
        private var first = true

        init(depth: Int, into out: inout ReportSink) {
            self.depth = depth
            out.append(UInt8(ascii: "{"))
        }

        /// Opens member `key` (already in sorted order, plain ASCII); the caller writes its value next.
        mutating func member(_ key: String, into out: inout ReportSink) {
            out.append(first ? "\n" : ",\n")
            first = false
            JSON.indent(depth + 1, into: &out)
            out.append(UInt8(ascii: "\""))
            out.append(key)
            out.append("\" : ")
        }

        mutating func string(_ key: String, _ value: String, into out: inout ReportSink) {
            member(key, into: &out)
            JSON.string(value, into: &out)
        }

        /// A member written only when there is a value (as `encodeIfPresent` leaves it out).
        mutating func string(_ key: String, ifPresent value: String?, into out: inout ReportSink) {
            if let value { string(key, value, into: &out) }
        }

        /// A member written as `null` when there is no value (as `encode` of an optional writes it).
        mutating func string(_ key: String, orNull value: String?, into out: inout ReportSink) {
            member(key, into: &out)
            if let value { JSON.string(value, into: &out) } else { out.append("null") }
        }

        mutating func integer<I: BinaryInteger>(_ key: String, ifPresent value: I?, into out: inout ReportSink) {
            if let value { member(key, into: &out); JSON.integer(value, into: &out) }
        }

        mutating func value<V: JSONWritable>(_ key: String, _ value: V, into out: inout ReportSink) throws {
            member(key, into: &out)
            try value.write(json: &out, depth: depth + 1)
        }

        func close(into out: inout ReportSink) {
            out.append(UInt8(ascii: "\n"))
            if first { out.append(UInt8(ascii: "\n")) }   // an empty object is "{\n\n}"
            JSON.indent(depth, into: &out)
            out.append(UInt8(ascii: "}"))
        }
    }

    /// An array of values at `depth`; the sink is offered a flush between elements.
    static func array<C: Collection>(_ elements: C, depth: Int, into out: inout ReportSink,
                                     element: (C.Element, inout ReportSink) throws -> Void) throws {
        out.append("[\n")
        var first = true
        for e in elements {
            if !first { out.append(",\n") }
            first = false
            indent(depth + 1, into: &out)
            try element(e, &out)
            try out.flushIfFull()
        }
        out.append(UInt8(ascii: "\n"))   // an empty array is "[\n\n]"
        indent(depth, into: &out)
        out.append(UInt8(ascii: "]"))
    }
}

/// One member's value in one element of a type written from a member table.
public enum JSONMemberValue {
    /// Left out, as `encodeIfPresent` leaves out a nil.
    case absent
    case null
    case string(String)
    case integer(Int64)
    /// A list of strings, written without going through an existential.
    case strings([String])
    case value(any JSONWritable)

    /// The string, or the member left out.
    static func optional(_ text: String?) -> Self { text.map(Self.string) ?? .absent }
    /// The string, or `null` (as `encode` writes a nil).
    static func nullable(_ text: String?) -> Self { text.map(Self.string) ?? .null }
    /// The number, or `null`.
    static func number<I: BinaryInteger>(_ n: I?) -> Self { n.map { .integer(Int64($0)) } ?? .null }
}

/// A type the report holds by the hundred thousand, written by hand from a table of its members:
/// the table names each member once, in any order, and ``JSON/members(_:)`` sorts it by key bytes
/// once, as Foundation sorts every object.
public protocol JSONObjectWritable: JSONWritable {
    static var members: JSONMemberTable<Self> { get }
}

/// Each member's key and how to get its value from an element.
public typealias JSONMemberTable<T> = [(key: String, value: @Sendable (T) -> JSONMemberValue)]

extension JSONObjectWritable {
    @inline(__always)
    public func write(json out: inout ReportSink, depth: Int) throws {
        var o = JSON.Object(depth: depth, into: &out)
        for (key, value) in Self.members {
            switch value(self) {
            case .absent: continue
            case .null: o.member(key, into: &out); out.append("null")
            case .string(let text): o.member(key, into: &out); JSON.string(text, into: &out)
            case .integer(let n): o.member(key, into: &out); JSON.integer(n, into: &out)
            case .strings(let list): o.member(key, into: &out); try list.write(json: &out, depth: depth + 1)
            case .value(let v): o.member(key, into: &out); try v.write(json: &out, depth: depth + 1)
            }
        }
        o.close(into: &out)
    }
}

extension JSON {
    /// A member table sorted by key bytes.
    static func members<T>(_ table: JSONMemberTable<T>) -> JSONMemberTable<T> {
        table.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
    }
}

extension String: JSONWritable {
    public func write(json out: inout ReportSink, depth: Int) throws { JSON.string(self, into: &out) }
}

extension Array: JSONWritable where Element: JSONWritable {
    public func write(json out: inout ReportSink, depth: Int) throws {
        try JSON.array(self, depth: depth, into: &out) { try $0.write(json: &$1, depth: depth + 1) }
    }
}

/// A collection written as a JSON array of its elements transformed one at a time, so that a
/// report's hundreds of thousands of findings never exist as a second array of their JSON form.
public struct LazyJSONArray<Base: Collection, Element: JSONWritable>: JSONWritable {
    let base: Base
    let transform: (Base.Element) -> Element

    public init(_ base: Base, _ transform: @escaping (Base.Element) -> Element) { self.base = base; self.transform = transform }

    public func write(json out: inout ReportSink, depth: Int) throws {
        try JSON.array(base, depth: depth, into: &out) { try transform($0).write(json: &$1, depth: depth + 1) }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.unkeyedContainer()
        for e in base { try container.encode(transform(e)) }
    }
}

/// The report's top-level object: its members sorted by key bytes, each written as it comes.
struct JSONDocument: Encodable {
    var members: [(key: String, value: any JSONWritable)]

    init(_ members: [(String, (any JSONWritable)?)]) {
        self.members = members.compactMap { key, value in value.map { (key, $0) } }
            .sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
    }

    func write(json out: inout ReportSink) throws {
        out.append(UInt8(ascii: "{"))
        for (i, m) in members.enumerated() {
            out.append(i == 0 ? "\n  " : ",\n  ")
            JSON.string(m.key, into: &out)
            out.append(" : ")
            try m.value.write(json: &out, depth: 1)
            try out.flushIfFull()
        }
        out.append(members.isEmpty ? "\n\n}\n" : "\n}\n")
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Foundation's encoding of the same members: the oracle the streamed layout is tested against.
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        for m in members { try c.encode(m.value, forKey: Key(stringValue: m.key)) }
    }
}
