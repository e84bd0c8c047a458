import CPcap
import Foundation
import MACAudit

/// Reads pcap and pcapng files (both byte orders, micro- and nanosecond) and live interfaces through
/// libpcap, handing every frame to the core's ``FrameDecoder``. The only file that imports libpcap.
///
/// A file is opened with our own `fopen` and a 1 MiB stdio buffer (libpcap's default 4 KiB buffer
/// costs ~270,000 `read` calls per GB). A truncated or corrupt file yields what was readable and
/// a warning naming the file and the frame; a file libpcap cannot open at all is an error.
public enum CaptureReader {
    /// Reads `path` (the `fileIndex`-th capture of the run) into `table`.
    public static func read(path: String, fileIndex: Int32, into table: inout SightingTable) throws -> CaptureSummary {
        guard let file = fopen(path, "rb") else {
            throw IngestError(file: path, message: "cannot be read: \(String(cString: strerror(errno)))")
        }
        setvbuf(file, nil, _IOFBF, 1 << 20)
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        guard let raw = pcap_fopen_offline_with_tstamp_precision(file, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errbuf) else {
            fclose(file)
            throw IngestError(file: path, message: "is not a readable pcap or pcapng capture: \(String(cString: errbuf))")
        }
        let handle = PcapHandle(raw)
        return PipelinedReader.drain(handle, source: path, fileIndex: fileIndex, into: &table)
    }

    /// Captures from a live interface for `duration` seconds, with an optional BPF filter.
    public static func live(interface: String, duration: Double, filter: String?, fileIndex: Int32,
                            into table: inout SightingTable) throws -> CaptureSummary {
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        guard let raw = pcap_create(interface, &errbuf) else {
            throw IngestError(file: interface, message: "cannot be opened for capture: \(String(cString: errbuf))")
        }
        let handle = PcapHandle(raw)
        pcap_set_snaplen(raw, 65535)
        pcap_set_promisc(raw, 1)
        pcap_set_timeout(raw, 100)
        _ = pcap_set_tstamp_precision(raw, Int32(PCAP_TSTAMP_PRECISION_NANO))
        let status = pcap_activate(raw)
        guard status >= 0 else {
            throw IngestError(file: interface, message: "cannot be captured on: \(String(cString: pcap_geterr(raw)))")
        }
        if let filter {
            var program = bpf_program()
            guard pcap_compile(raw, &program, filter, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
                throw IngestError(file: interface, message: "the filter '\(filter)' is not valid BPF: \(String(cString: pcap_geterr(raw)))")
            }
            defer { pcap_freecode(&program) }
            guard pcap_setfilter(raw, &program) == 0 else {
                throw IngestError(file: interface, message: "the filter cannot be set: \(String(cString: pcap_geterr(raw)))")
            }
        }
        // Non-blocking, so that a quiet interface cannot hold the capture past its duration.
        _ = pcap_setnonblock(raw, 1, &errbuf)
        let nanosecond = pcap_get_tstamp_precision(raw) == Int32(PCAP_TSTAMP_PRECISION_NANO)
        let end = Date().addingTimeInterval(duration)
        return drain(handle, source: interface, fileIndex: fileIndex, nanosecond: nanosecond, stopAt: end, into: &table)
    }

    /// The single-threaded `pcap_next_ex` loop of a live capture (files use ``PipelinedReader``).
    /// The packet buffer is valid only until the next call, so each frame is decoded in place;
    /// `caplen` (what was captured), not `len`, bounds the bytes.
    static func drain(_ handle: borrowing PcapHandle, source: String, fileIndex: Int32, nanosecond: Bool, stopAt: Date?,
                      into table: inout SightingTable) -> CaptureSummary {
        let p = handle.pointer
        let link = LinkType(pcap: pcap_datalink(p))
        var summary = CaptureSummary(source: source, linkType: Int(pcap_datalink(p)))
        if case .other(let value) = link {
            summary.warnings.append(InputWarning(source: source, message: "link type \(value) has no Ethernet addresses macaudit can read; the capture was skipped"))
            return summary
        }
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        var frame: Int64 = 0
        var error: String?
        let scale: Int64 = nanosecond ? 1 : 1000
        while true {
            let rc = pcap_next_ex(p, &header, &data)
            if rc == 1, let header, let data {
                frame += 1
                let h = header.pointee
                let time = Int64(h.ts.tv_sec) * 1_000_000_000 + Int64(h.ts.tv_usec) * scale
                summary.bytes += Int(h.caplen)
                switch FrameDecoder.decode(UnsafeRawBufferPointer(start: data, count: Int(h.caplen)), link: link, time: time,
                                           ref: FrameRef(file: fileIndex, frame: frame), into: &table) {
                case .decoded, .unsupportedLink: break
                case .skippedRawIP: summary.skippedRawIP += 1
                case .truncated: summary.truncatedFrames += 1
                case .malformedARP: summary.malformedARP += 1
                }
                summary.firstTime = min(summary.firstTime ?? time, time)
                summary.lastTime = max(summary.lastTime ?? time, time)
            } else if rc == -2 {
                break
            } else if rc == 0 {
                usleep(5_000)  // nothing waiting on a live interface
            } else {
                error = String(cString: pcap_geterr(p))
                break
            }
            if let stopAt, Date() >= stopAt { break }
        }
        summary.frames = frame
        summary.finish(error: error)
        return summary
    }
}

/// Owns a `pcap_t` and closes it exactly once.
struct PcapHandle: ~Copyable {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) { self.pointer = pointer }

    deinit { pcap_close(pointer) }
}
