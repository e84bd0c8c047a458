import MACAuditModel
/// JSON text that is safe inside `<script type="application/json">`: besides JSON's own escapes,
/// `<`, `>` and `&` are written as `\u003c`, `\u003e`, `\u0026` (so no input can close the element
/// or open a comment), and U+2028/U+2029 escaped. A builder appends to one string: a 50,000-finding
/// page's data is built without a tree of values.
struct ScriptJSON {
    private(set) var text = ""

    init(capacity: Int = 0) { text.reserveCapacity(capacity) }

    mutating func raw(_ s: String) { text += s }
    mutating func number(_ n: Int) { text += String(n) }

    mutating func string(_ s: String) {
        text.append("\"")
        Self.append(s, to: &text) { scalar in
            switch scalar {
            case "\"": "\\\""
            case "\\": "\\\\"
            case "\n": "\\n"
            case "\r": "\\r"
            case "\t": "\\t"
            case "<": "\\u003c"
            case ">": "\\u003e"
            case "&": "\\u0026"
            case "\u{2028}": "\\u2028"
            case "\u{2029}": "\\u2029"
            default: scalar.value < 0x20 ? Self.unicodeEscape(scalar) : nil
            }
        }
        text.append("\"")
    }

    /// `\u001f` for a control character.
    static func unicodeEscape(_ scalar: Unicode.Scalar) -> String {
        "\\u" + String(scalar.value, radix: 16).leftPadded(to: 4)
    }

    /// Appends `s` to `out`, each scalar that `replacement` names written as its replacement.
    static func append(_ s: String, to out: inout String, replacement: (Unicode.Scalar) -> String?) {
        for scalar in s.unicodeScalars {
            if let r = replacement(scalar) { out += r } else { out.unicodeScalars.append(scalar) }
        }
    }

    mutating func strings(_ list: [String]) {
        text.append("[")
        for (i, s) in list.enumerated() {
            if i > 0 { text.append(",") }
            string(s)
        }
        text.append("]")
    }

    mutating func numbers(_ list: [Int]) { text += "[" + list.map(String.init).joined(separator: ",") + "]" }
}

/// Strings numbered in the order first seen (checks, clusters, hosts of the findings table).
struct StringTable {
    private(set) var values: [String] = []
    private var index: [String: Int] = [:]

    mutating func id(_ s: String) -> Int {
        if let known = index[s] { return known }
        index[s] = values.count
        values.append(s)
        return values.count - 1
    }
}
