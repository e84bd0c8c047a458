extension String {
    /// Pads on the left to `width` characters (fingerprints are 16 hex digits).
    package func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
