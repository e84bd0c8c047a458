import MACAudit
import NIOCore

/// New assignments as `COPY … FROM STDIN` takes them in its text format: a row per line, columns
/// by tabs, the packed holder as `\\x` and hexadecimal (the backslash doubled, as the format
/// escapes it). Only integers, hex and `live` are written, so nothing else needs escaping.
///
/// A new site's 100,000 rows are 30 MB of text, made on the client's cores while the server takes
/// them in: each part is written straight into a buffer sized for it, two hex digits per byte
/// from a table.
enum CopyRows {
    // As the server folds them (postgres-nio quotes the names it is given).
    static let columns = ["mac", "keyhash", "placeid", "digest", "firstrunid", "lastrunid", "holder", "state"]
    /// Byte `b`'s two hex digits, at `2 * b` and `2 * b + 1`.
    private static let hexPairs: [UInt8] = (0..<256).flatMap { b in
        [Array("0123456789abcdef".utf8)[b >> 4], Array("0123456789abcdef".utf8)[b & 0x0F]]
    }
    /// The most an integer column takes: a sign, 19 digits and the tab.
    private static let integerRoom = 21
    private static let holderPrefix: [UInt8] = Array("\\\\x".utf8)
    private static let rowEnd: [UInt8] = Array("\tlive\n".utf8)

    /// The rows of holders `rows` (holder number, place id), new in run `runId`.
    static func text(_ rows: ArraySlice<(n: Int, placeId: Int64)>, _ holders: HolderSightings, runId: Int64) -> ByteBuffer {
        var room = 0
        for (n, _) in rows { room += 6 * integerRoom + holderPrefix.count + 2 * Int(holders.summary(n).packedCount) + rowEnd.count }
        let bytes = [UInt8](unsafeUninitializedCapacity: room) { out, count in
            count = 0
            hexPairs.withUnsafeBufferPointer { hex in
                for (n, placeId) in rows {
                    let s = holders.summary(n)
                    integer(s.mac, out, &count); integer(s.keyHash, out, &count); integer(placeId, out, &count)
                    integer(s.digest, out, &count); integer(runId, out, &count); integer(runId, out, &count)
                    append(holderPrefix, out, &count)
                    holders.withPacked(n) { packed in
                        for b in packed {
                            out[count] = hex[2 * Int(b)]
                            out[count + 1] = hex[2 * Int(b) + 1]
                            count += 2
                        }
                    }
                    append(rowEnd, out, &count)
                }
            }
        }
        return ByteBuffer(bytes: bytes)
    }

    private static func append(_ text: [UInt8], _ out: UnsafeMutableBufferPointer<UInt8>, _ count: inout Int) {
        for b in text { out[count] = b; count += 1 }
    }

    /// A signed integer in decimal, and the tab after it.
    static func integer(_ value: Int64, _ out: UnsafeMutableBufferPointer<UInt8>, _ count: inout Int) {
        if value < 0 { out[count] = UInt8(ascii: "-"); count += 1 }
        var magnitude = value.magnitude, digits = 1
        while magnitude >= 10 { magnitude /= 10; digits += 1 }
        magnitude = value.magnitude
        for i in stride(from: count + digits - 1, through: count, by: -1) {
            out[i] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
        }
        count += digits
        out[count] = UInt8(ascii: "\t")
        count += 1
    }
}
