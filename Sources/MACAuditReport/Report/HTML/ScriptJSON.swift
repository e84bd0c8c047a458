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
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case "<": text += "\\u003c"
            case ">": text += "\\u003e"
            case "&": text += "\\u0026"
            case "\u{2028}": text += "\\u2028"
            case "\u{2029}": text += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    text.unicodeScalars.append(scalar)
                }
            }
        }
        text.append("\"")
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
