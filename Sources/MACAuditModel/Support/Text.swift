extension BinaryInteger {
    /// `25,000`: the decimal digits with thousands grouped by commas (counts in reports and progress).
    package var grouped: String {
        let digits = Array(String(self.magnitude))
        var out = self < 0 ? "-" : ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(d)
        }
        return out
    }
}

extension String {
    /// Pads on the left to `width` characters (fingerprints are 16 hex digits).
    package func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}

extension String {
    /// The text with its control characters shown instead of acted on: tab, line feed and carriage
    /// return as `\t`, `\n`, `\r`, every other C0 or C1 control, DEL and the bidirectional
    /// overrides and isolates (U+202A–U+202E, U+2066–U+2069) as `\u{1B}`. Names come from the
    /// inputs, and a tenant may name a VM: printed as they are, an escape sequence in one could
    /// clear the admin's screen or hide a finding, and a tab or a line feed would forge a column or
    /// a line of a tab-separated listing. Text without such characters is returned as it is.
    public var terminalSafe: String { terminalSafe(keepingLines: false) }

    /// As ``terminalSafe``; with `keepingLines`, line feeds and tabs stay (an error message whose
    /// parser shows the offending line and a caret under it).
    public func terminalSafe(keepingLines: Bool) -> String {
        let escapes = { (s: Unicode.Scalar) in Self.needsEscape(s) && !(keepingLines && (s == "\n" || s == "\t")) }
        guard unicodeScalars.contains(where: escapes) else { return self }
        var out = ""
        out.reserveCapacity(utf8.count + 8)
        for scalar in unicodeScalars {
            guard escapes(scalar) else { out.unicodeScalars.append(scalar); continue }
            switch scalar {
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            }
        }
        return out
    }

    private static func needsEscape(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x20 || (0x7F...0x9F).contains(s.value) || (0x202A...0x202E).contains(s.value) || (0x2066...0x2069).contains(s.value)
    }
}

extension Array where Element: Comparable {
    /// The elements sorted, each once (MACs to look up: a run lists some MACs more than once).
    @inlinable package func sortedUnique() -> [Element] {
        var sorted = self.sorted(), unique = 0
        for element in sorted where unique == 0 || sorted[unique - 1] != element { sorted[unique] = element; unique += 1 }
        sorted.removeLast(sorted.count - unique)
        return sorted
    }
}
