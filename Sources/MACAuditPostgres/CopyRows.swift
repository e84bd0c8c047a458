import MACAudit
import NIOCore

/// New assignments as `COPY … FROM STDIN` takes them in its text format: a row per line, columns
/// by tabs, the packed holder as `\\x` and hexadecimal (the backslash doubled, as the format
/// escapes it). Only integers, hex and `live` are written, so nothing else needs escaping.
enum CopyRows {
    // As the server folds them (postgres-nio quotes the names it is given).
    static let columns = ["mac", "keyhash", "placeid", "digest", "firstrunid", "lastrunid", "holder", "state"]
    private static let hex = Array("0123456789abcdef".utf8)

    /// The rows of holders `rows` (holder number, place id), new in run `runId`.
    static func text(_ rows: ArraySlice<(n: Int, placeId: Int64)>, _ holders: HolderSightings, runId: Int64) -> ByteBuffer {
        var out: [UInt8] = []
        out.reserveCapacity(rows.count * 320)
        for (n, placeId) in rows {
            let s = holders.summary(n)
            integer(s.mac, &out); integer(s.keyHash, &out); integer(placeId, &out); integer(s.digest, &out)
            integer(runId, &out); integer(runId, &out)
            out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\"), UInt8(ascii: "x")])
            holders.withPacked(n) { bytes in
                for b in bytes {
                    out.append(hex[Int(b >> 4)])
                    out.append(hex[Int(b & 0x0F)])
                }
            }
            out.append(contentsOf: Array("\tlive\n".utf8))
        }
        return ByteBuffer(bytes: out)
    }

    /// A signed integer in decimal, and the tab after it.
    static func integer(_ value: Int64, _ out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude, digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                                                   UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            for i in stride(from: count - 1, through: 0, by: -1) { out.append(d[i]) }
        }
        out.append(UInt8(ascii: "\t"))
    }
}
