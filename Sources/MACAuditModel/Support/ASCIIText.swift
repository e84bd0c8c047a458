/// ASCII text eight bytes at a time: GUIDs, resource refs and adapter ids are read by the million,
/// and a byte-by-byte loop over them costs more than building the string.
enum ASCIIText {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// What a scan of some bytes found.
    struct Traits {
        var nonASCII = false
        var spaceOrTab = false
        /// An upper-case ASCII letter (meaningful when the text is ASCII).
        var upper = false
    }

    static func traits(_ b: UnsafeRawBufferPointer) -> Traits {
        var all: UInt64 = 0, upper: UInt64 = 0, spaceOrTab = false
        forEachWord(b) { w in
            all |= w
            upper |= upperMask(w)
            spaceOrTab = spaceOrTab || hasByte(w, 0x20) || hasByte(w, 0x09)
        }
        return Traits(nonASCII: all & highs != 0, spaceOrTab: spaceOrTab, upper: upper != 0)
    }

    /// Writes the ASCII text `b` with its letters lower-cased to `out` (room for `b.count` bytes).
    static func lowercase(_ b: UnsafeRawBufferPointer, into out: UnsafeMutableRawPointer) {
        var i = 0
        while i + 8 <= b.count {
            let w = b.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            out.storeBytes(of: w | upperMask(w) >> 2, toByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < b.count {
            let c = b[i]
            out.storeBytes(of: c &- 0x41 < 26 ? c | 0x20 : c, toByteOffset: i, as: UInt8.self)
            i += 1
        }
    }

    /// Calls `body` with each eight bytes of `b`, the last word padded with zero bytes.
    @inline(__always)
    private static func forEachWord(_ b: UnsafeRawBufferPointer, _ body: (UInt64) -> Void) {
        var i = 0
        while i + 8 <= b.count {
            body(b.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            i += 8
        }
        guard i < b.count else { return }
        var last: UInt64 = 0
        withUnsafeMutableBytes(of: &last) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: b[i...])) }
        body(last)
    }

    /// 0x80 in each byte of the ASCII word `w` that is an upper-case letter (no byte carries into
    /// the next: each sum stays below 0x100).
    @inline(__always)
    private static func upperMask(_ w: UInt64) -> UInt64 {
        let atLeastA = w &+ ones &* (0x80 - 0x41), pastZ = w &+ ones &* (0x80 - 0x5B)
        return atLeastA & ~pastZ & highs
    }

    /// Whether any byte of `w` is `byte`.
    @inline(__always)
    private static func hasByte(_ w: UInt64, _ byte: UInt8) -> Bool {
        let x = w ^ (ones &* UInt64(byte))
        return (x &- ones) & ~x & highs != 0
    }
}

extension String {
    /// `lowercased()`, built a word at a time when the text is ASCII (resource refs, GUIDs).
    package var asciiLowercased: String {
        var copy = self
        return copy.withUTF8 { String(lowercasing: $0) }
    }

    /// The lower-cased text of UTF-8 bytes: a word at a time when they are ASCII.
    package init(lowercasing utf8: UnsafeBufferPointer<UInt8>) {
        let raw = UnsafeRawBufferPointer(utf8)
        guard !ASCIIText.traits(raw).nonASCII, !raw.isEmpty else { self = String(decoding: utf8, as: UTF8.self).lowercased(); return }
        self = String(unsafeUninitializedCapacity: raw.count) { out in
            ASCIIText.lowercase(raw, into: UnsafeMutableRawPointer(out.baseAddress!))
            return raw.count
        }
    }
}
