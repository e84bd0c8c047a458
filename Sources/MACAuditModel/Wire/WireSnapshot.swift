import Foundation

/// What reading one capture (file or interface) gave.
public struct CaptureSummary: Sendable {
    public var source: String
    public var linkType: Int
    public var frames: Int64 = 0
    public var bytes: Int = 0
    public var skippedRawIP = 0
    public var truncatedFrames = 0
    /// ARP and RARP frames with an opcode no host acts on (arpwatch's "wrong arp op"): ignored.
    public var malformedARP = 0
    public var firstTime: Int64?
    public var lastTime: Int64?
    public var warnings: [InputWarning] = []

    public init(source: String, linkType: Int) { self.source = source; self.linkType = linkType }

    /// Adds the warnings a finished read owes its reader: frames skipped or cut short, and the
    /// libpcap error that stopped it, if any.
    public mutating func finish(error: String?) {
        if let error {
            warnings.append(InputWarning(source: source, message: "frame \(frames + 1): \(error); read \(frames) frames before it"))
        }
        if skippedRawIP > 0 {
            warnings.append(InputWarning(source: source, message: "\(skippedRawIP) raw-IP frames carry no MAC addresses and were skipped"))
        }
        if truncatedFrames > 0 {
            warnings.append(InputWarning(source: source, message: "\(truncatedFrames) frames ended before their headers did (snap length or corruption); what they held was read"))
        }
        if malformedARP > 0 {
            warnings.append(InputWarning(source: source, message: "\(malformedARP) ARP frames with an opcode other than request or reply were ignored (malformed)"))
        }
    }

    /// The report's line for this capture: kind `capture`, records = frames.
    public var inputSummary: InputSummary {
        InputSummary(path: source, kind: "capture", records: Int(frames), encoding: "linktype \(linkType)", cluster: "")
    }
}

/// Everything the captures of a run showed, for the wire checks.
public struct WireSnapshot: Sendable {
    /// Capture sources in ``FrameRef/file`` order.
    public var files: [String]
    public var summaries: [CaptureSummary]
    public var table: SightingTable
    /// Warnings about the captures as a set (a copy of another, read once), besides each one's own.
    public var setWarnings: [InputWarning] = []

    /// Every warning: the set's, then each capture's.
    public var warnings: [InputWarning] { setWarnings + summaries.flatMap(\.warnings) }

    public init(files: [String] = [], summaries: [CaptureSummary] = [], table: SightingTable = SightingTable()) {
        self.files = files; self.summaries = summaries; self.table = table
    }

    /// `frame 345` evidence in its file.
    public func evidence(_ ref: FrameRef) -> Evidence {
        Evidence(source: files.indices.contains(Int(ref.file)) ? files[Int(ref.file)] : "capture", at: "frame \(ref.frame)")
    }
}

/// Reads one capture file into a sighting table; the CLI supplies libpcap's (MACAuditCapture), the
/// core never links it.
public typealias CaptureFileReader = @Sendable (_ path: String, _ fileIndex: Int32, _ table: inout SightingTable) throws -> CaptureSummary

/// The magic numbers that tell a capture from an export: pcap (both byte orders, micro- and
/// nanosecond timestamps) and pcapng's section header block.
public enum CaptureMagic {
    public static func isCapture(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: 4), head.count == 4 else { return false }
        let magic = head.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return [0xA1B2_C3D4, 0xD4C3_B2A1, 0xA1B2_3C4D, 0x4D3C_B2A1, 0x0A0D_0D0A].contains(magic)
    }
}

/// Nanoseconds since the epoch as RFC 3339 with microseconds, UTC (`2026-11-25T15:06:28.252363Z`).
/// Computed arithmetically (days → civil date), so formatting a million stations costs nothing.
public func wireTimestamp(_ nanoseconds: Int64) -> String {
    let seconds = nanoseconds >= 0 ? nanoseconds / 1_000_000_000 : (nanoseconds - 999_999_999) / 1_000_000_000
    let micros = (nanoseconds - seconds * 1_000_000_000) / 1000
    var days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
    let secondOfDay = seconds - days * 86_400
    // Howard Hinnant's civil_from_days.
    days += 719_468
    let era = (days >= 0 ? days : days - 146_096) / 146_097
    let dayOfEra = days - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let mp = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    func two(_ v: Int64) -> String { String(v).leftPadded(to: 2) }
    return "\(year)-\(two(month))-\(two(day))T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)).\(String(micros).leftPadded(to: 6))Z"
}
