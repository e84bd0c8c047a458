import Foundation

/// What reading one capture (file or interface) gave.
public struct CaptureSummary: Sendable {
    public var source: String
    public var linkType: Int
    public var frames: Int64 = 0
    public var bytes: Int = 0
    public var skippedRawIP = 0
    public var truncatedFrames = 0
    public var firstTime: Int64?
    public var lastTime: Int64?
    public var warnings: [InputWarning] = []

    public init(source: String, linkType: Int) { self.source = source; self.linkType = linkType }

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

/// Nanoseconds since the epoch as RFC 3339 with microseconds, UTC.
public func wireTimestamp(_ nanoseconds: Int64) -> String {
    let seconds = nanoseconds / 1_000_000_000
    let micros = (nanoseconds % 1_000_000_000) / 1000
    let date = Date(timeIntervalSince1970: TimeInterval(seconds))
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime]
    f.timeZone = TimeZone(identifier: "UTC")
    let base = f.string(from: date)
    return String(base.dropLast()) + "." + String(micros).leftPadded(to: 6) + "Z"
}
