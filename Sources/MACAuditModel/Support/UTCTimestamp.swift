import Foundation

/// RFC 3339 timestamps in UTC (`2026-11-25T12:00:00Z`, or `2026-11-25T12:00:00.123Z` with
/// milliseconds), written from the calendar fields `gmtime_r` gives. Foundation's
/// `ISO8601DateFormatter` opens an ICU formatter each time one is made (about 0.4 ms), and a
/// report writes a timestamp per finding.
public enum UTCTimestamp {
    /// The date in UTC: whole seconds cut, as Foundation does; milliseconds, when asked, rounded to
    /// the nearest (a date made from whole milliseconds is a hair below them in binary).
    public static func text(_ date: Date, milliseconds: Bool = false) -> String {
        let seconds = date.timeIntervalSince1970
        let totalMilliseconds = Int64((seconds * 1000).rounded())
        let (second, millisecond) = totalMilliseconds.quotientAndRemainder(dividingBy: 1000)
        var whole = milliseconds ? time_t(millisecond < 0 ? second - 1 : second) : time_t(seconds.rounded(.down))
        var fields = tm()
        gmtime_r(&whole, &fields)
        var out = [UInt8]()
        out.reserveCapacity(24)
        func digits(_ value: Int32, _ width: Int) {
            var v = Int(value), buffer = [UInt8](repeating: UInt8(ascii: "0"), count: width)
            for i in stride(from: width - 1, through: 0, by: -1) { buffer[i] = UInt8(ascii: "0") + UInt8(v % 10); v /= 10 }
            out.append(contentsOf: buffer)
        }
        digits(fields.tm_year + 1900, 4); out.append(UInt8(ascii: "-"))
        digits(fields.tm_mon + 1, 2); out.append(UInt8(ascii: "-"))
        digits(fields.tm_mday, 2); out.append(UInt8(ascii: "T"))
        digits(fields.tm_hour, 2); out.append(UInt8(ascii: ":"))
        digits(fields.tm_min, 2); out.append(UInt8(ascii: ":"))
        digits(fields.tm_sec, 2)
        if milliseconds {
            out.append(UInt8(ascii: "."))
            digits(Int32(millisecond < 0 ? millisecond + 1000 : millisecond), 3)
        }
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }
}
