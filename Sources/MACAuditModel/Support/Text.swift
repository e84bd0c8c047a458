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
