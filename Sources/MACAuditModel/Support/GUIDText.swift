// GUID text as the exports write it: Hyper-V lower case without braces, the NC and PowerShell
// often braced or upper case. Every stage compares the normal form.

/// Lower-cases a GUID and strips `{}`; empty becomes nil.
package func normalizedGUID(_ original: String) -> String? {
    var raw = original
    if let fast = raw.withUTF8({ normalizedGUID(utf8: UnsafeRawBufferPointer($0), original: original) }) { return fast }
    var s = original.trimmingSpaces
    if s.hasPrefix("{") { s.removeFirst() }
    if s.hasSuffix("}") { s.removeLast() }
    return s.isEmpty ? nil : s.lowercased()
}

/// ``normalizedGUID(_:)`` on UTF-8 text in the common case, an ASCII GUID without spaces: checked
/// and lower-cased eight bytes at a time (``ASCIIText``), the text itself (`original`) returned when
/// already normal. `.none` when the text needs the general path.
package func normalizedGUID(utf8 b: UnsafeRawBufferPointer, original: String?) -> String?? {
    let traits = ASCIIText.traits(b)
    guard !traits.nonASCII, !traits.spaceOrTab else { return .none }
    var lo = 0, hi = b.count
    if lo < hi, b[lo] == UInt8(ascii: "{") { lo += 1 }
    if lo < hi, b[hi - 1] == UInt8(ascii: "}") { hi -= 1 }
    guard lo < hi else { return .some(nil) }
    // Already normal (Hyper-V writes lower case without braces): keep the string as it is.
    if let original, lo == 0, hi == b.count, !traits.upper { return .some(original) }
    return .some(String(unsafeUninitializedCapacity: hi - lo) { out in
        ASCIIText.lowercase(UnsafeRawBufferPointer(rebasing: b[lo..<hi]), into: UnsafeMutableRawPointer(out.baseAddress!))
        return hi - lo
    })
}

extension String {
    package var trimmingSpaces: String {
        // The common case: nothing to trim (an ASCII byte that is not a space at both ends).
        if let first = utf8.first, let last = utf8.last, first > 0x20, first < 0x80, last > 0x20, last < 0x80 { return self }
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}

