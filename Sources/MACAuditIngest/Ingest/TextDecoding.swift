import MACAuditModel
#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// Turns the bytes of an export into UTF-8, whatever PowerShell wrote.
///
/// Windows PowerShell 5.1 writes UTF-16LE with a BOM for `>` and `Out-File`, UTF-8 with a BOM for
/// `-Encoding utf8`, and the "ANSI" code page for `Set-Content`; PowerShell 7 writes UTF-8 without a
/// BOM. Line ends may be CRLF (JSON treats CR as whitespace, so nothing is needed for them).
public enum TextEncoding: String, Sendable {
    case utf8 = "UTF-8"
    case utf8BOM = "UTF-8 with BOM"
    case utf16LE = "UTF-16LE"
    case utf16BE = "UTF-16BE"
    case windows1252 = "Windows-1252"

    /// The UTF-8 text of `bytes` and the encoding it was found in.
    public static func decode(_ bytes: [UInt8]) throws(TextDecodingError) -> (utf8: [UInt8], encoding: TextEncoding) {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(TextDecodingError) -> ([UInt8], TextEncoding) in
                let (encoding, body) = try detect(raw)
                if encoding == .utf8 || encoding == .utf8BOM { return (Array(raw[body...]), encoding) }
                var out: [UInt8] = []
                try transcode(raw, encoding, from: body, into: &out, flush: nil)
                return (out, encoding)
            }
        }
        return try result.get()
    }

    /// The encoding of `bytes` and where its text starts (after a BOM). Throws for binary data and
    /// nothing else: UTF-16 errors show when transcoding.
    /// `checked(upTo:)` is told as the checks move through the bytes (64 MiB at a time), so that a
    /// mapped file's pages can be handed back behind them.
    public static func detect(_ bytes: UnsafeRawBufferPointer, checked: (Int) -> Void = { _ in }) throws(TextDecodingError) -> (TextEncoding, Int) {
        func starts(_ prefix: [UInt8]) -> Bool { bytes.count >= prefix.count && zip(bytes, prefix).allSatisfy { $0 == $1 } }
        if starts([0xEF, 0xBB, 0xBF]) { return (.utf8BOM, 3) }
        if starts([0xFF, 0xFE]) { return (.utf16LE, 2) }
        if starts([0xFE, 0xFF]) { return (.utf16BE, 2) }
        // UTF-16 without a BOM: JSON starts with an ASCII character, so one of the first two bytes is 0.
        if bytes.count >= 2, bytes[0] != 0, bytes[1] == 0 { return (.utf16LE, 0) }
        if bytes.count >= 2, bytes[0] == 0, bytes[1] != 0 { return (.utf16BE, 0) }
        guard let base = bytes.baseAddress else { return (.utf8, 0) }
        let window = 64 << 20
        var start = 0, valid = true
        while start < bytes.count {
            var end = min(bytes.count, start + window)
            if let nul = memchr(base + start, 0, end - start) { throw .binary(offset: base.distance(to: UnsafeRawPointer(nul))) }
            // Cut before a multi-byte sequence that the window boundary splits.
            if end < bytes.count { var back = 0; while back < 3, bytes[end] & 0xC0 == 0x80 { end -= 1; back += 1 } }
            if valid { valid = isValidUTF8(UnsafeRawBufferPointer(rebasing: bytes[start..<end])) }
            start = end
            checked(start)
        }
        return (valid ? .utf8 : .windows1252, 0)
    }

    /// Appends the UTF-8 form of `bytes[start...]` (UTF-16 or Windows-1252) to `out`; with `flush`,
    /// hands `out` over and empties it every few MiB, so that a huge file never sits in memory whole.
    public static func transcode(_ bytes: UnsafeRawBufferPointer, _ encoding: TextEncoding, from start: Int, into out: inout [UInt8],
                                 flush: ((inout [UInt8]) throws(TextDecodingError) -> Void)?) throws(TextDecodingError) {
        let block = 1 << 22
        out.reserveCapacity(min(bytes.count, block + 8))
        switch encoding {
        case .utf16LE, .utf16BE:
            try transcodeUTF16(bytes, from: start, littleEndian: encoding == .utf16LE, into: &out, block: block, flush: flush)
        case .windows1252:
            for i in start..<bytes.count {
                let b = bytes[i]
                appendUTF8((0x80..<0xA0).contains(b) ? windows1252High[Int(b) - 0x80] : UInt32(b), to: &out)
                if out.count >= block, let flush { try flush(&out) }
            }
        case .utf8, .utf8BOM:
            out.append(contentsOf: bytes[start...])
        }
        if let flush, !out.isEmpty { try flush(&out) }
    }

    static func transcodeUTF16(_ bytes: UnsafeRawBufferPointer, from start: Int, littleEndian: Bool, into out: inout [UInt8], block: Int,
                               flush: ((inout [UInt8]) throws(TextDecodingError) -> Void)?) throws(TextDecodingError) {
        if (bytes.count - start) % 2 != 0 { throw .truncatedUTF16(offset: bytes.count - 1) }
        var i = start
        func unit(at j: Int) -> UInt32 {
            littleEndian ? UInt32(bytes[j]) | UInt32(bytes[j + 1]) << 8 : UInt32(bytes[j]) << 8 | UInt32(bytes[j + 1])
        }
        while i < bytes.count {
            var scalar = unit(at: i)
            let at = i
            i += 2
            if (0xD800..<0xDC00).contains(scalar) {
                guard i < bytes.count else { throw .invalidUTF16(offset: at) }
                let low = unit(at: i)
                guard (0xDC00..<0xE000).contains(low) else { throw .invalidUTF16(offset: at) }
                i += 2
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw .invalidUTF16(offset: at)
            }
            appendUTF8(scalar, to: &out)
            if out.count >= block, let flush { try flush(&out) }
        }
    }

    @inline(__always)
    static func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            out.append(UInt8(scalar))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | scalar >> 6)); out.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | scalar >> 12)); out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        default:
            out.append(UInt8(0xF0 | scalar >> 18)); out.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F)); out.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        // Pure ASCII is the common case; only look closer from the first high byte on.
        guard let first = firstHighByte(bytes) else { return true }
        var iterator = bytes[first...].makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    /// The offset of the first byte with its top bit set, checked eight bytes at a time.
    static func firstHighByte(_ raw: UnsafeRawBufferPointer) -> Int? {
        let words = raw.count / 8
        for w in 0..<words where raw.loadUnaligned(fromByteOffset: w * 8, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 {
            return w * 8 + (0..<8).first { raw[w * 8 + $0] >= 0x80 }!
        }
        return (words * 8..<raw.count).first { raw[$0] >= 0x80 }
    }

    /// Windows-1252: Latin-1 with printable characters in 0x80–0x9F.
    static let windows1252High: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
        0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ]
}

public enum TextDecodingError: Error, Sendable, Equatable {
    case binary(offset: Int)
    case truncatedUTF16(offset: Int)
    case invalidUTF16(offset: Int)

    public var message: String {
        switch self {
        case .binary(let o): return "this is a binary file, not a JSON export (a NUL byte at byte offset \(o))"
        case .truncatedUTF16(let o): return "the UTF-16 text ends in half a character at byte offset \(o); the file is truncated"
        case .invalidUTF16(let o): return "an unpaired UTF-16 surrogate at byte offset \(o)"
        }
    }
}
