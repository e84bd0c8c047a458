import CPcap
import Dispatch
import Foundation
import MACAudit

/// Reads a capture file on two cores: one thread runs the `pcap_next_ex` loop and copies frames
/// into batches of about 1 MiB, the calling thread decodes batches as they come. Reading (mostly
/// libpcap's `fread` copies) and decoding then overlap instead of adding up.
enum PipelinedReader {
    /// Frames read from the file, packed: `ends[k]` is where frame k ends in `bytes`.
    struct Batch {
        var bytes: [UInt8] = []
        var ends: [Int] = []
        var times: [Int64] = []
    }

    /// A bounded hand-off between the reader thread and the decoder.
    final class Channel: @unchecked Sendable {
        private let condition = NSCondition()
        private var queue: [Batch] = []
        private var finished = false
        var error: String?
        var frames: Int64 = 0
        static let depth = 4

        func put(_ batch: Batch) {
            condition.lock()
            while queue.count >= Self.depth { condition.wait() }
            queue.append(batch)
            condition.broadcast()
            condition.unlock()
        }

        func finish(frames: Int64, error: String?) {
            condition.lock()
            self.frames = frames
            self.error = error
            finished = true
            condition.broadcast()
            condition.unlock()
        }

        /// The next batch, or nil when the reader is done and everything was taken.
        func take() -> Batch? {
            condition.lock()
            defer { condition.unlock() }
            while queue.isEmpty && !finished { condition.wait() }
            guard !queue.isEmpty else { return nil }
            let batch = queue.removeFirst()
            condition.broadcast()
            return batch
        }
    }

    struct Pointer: @unchecked Sendable { let p: OpaquePointer }

    static func drain(_ handle: borrowing PcapHandle, source: String, fileIndex: Int32, into table: inout SightingTable) -> CaptureSummary {
        let pcap = Pointer(p: handle.pointer)
        let link = LinkType(pcap: pcap_datalink(pcap.p))
        var summary = CaptureSummary(source: source, linkType: Int(pcap_datalink(pcap.p)))
        if case .other(let value) = link {
            summary.warnings.append(InputWarning(source: source, message: "link type \(value) has no Ethernet addresses macaudit can read; the capture was skipped"))
            return summary
        }
        let channel = Channel()
        let done = DispatchGroup()
        DispatchQueue.global().async(group: done) { read(pcap, into: channel) }
        defer { done.wait() }  // the reader has let go of the pcap_t before it is closed

        var frame: Int64 = 0
        var skippedRawIP = 0, truncated = 0, malformed = 0
        var firstTime = Int64.max, lastTime = Int64.min
        while let batch = channel.take() {
            summary.bytes += batch.bytes.count
            batch.bytes.withUnsafeBytes { all in
                var start = 0
                for k in 0..<batch.ends.count {
                    frame += 1
                    let time = batch.times[k]
                    let bytes = UnsafeRawBufferPointer(rebasing: all[start..<batch.ends[k]])
                    start = batch.ends[k]
                    switch FrameDecoder.decode(bytes, link: link, time: time, ref: FrameRef(file: fileIndex, frame: frame), into: &table) {
                    case .decoded, .unsupportedLink: break
                    case .skippedRawIP: skippedRawIP += 1
                    case .truncated: truncated += 1
                    case .malformedARP: malformed += 1
                    }
                    if time < firstTime { firstTime = time }
                    if time > lastTime { lastTime = time }
                }
            }
        }
        summary.frames = frame
        summary.skippedRawIP = skippedRawIP
        summary.truncatedFrames = truncated
        summary.malformedARP = malformed
        if frame > 0 { (summary.firstTime, summary.lastTime) = (firstTime, lastTime) }
        summary.finish(error: channel.error)
        return summary
    }

    /// The reader thread: `pcap_next_ex` until the end or an error, copying each frame (its buffer
    /// is valid only until the next call) into the current batch.
    static func read(_ pcap: Pointer, into channel: Channel) {
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        var batch = Batch()
        batch.bytes.reserveCapacity(1 << 20 + 65536)
        var frames: Int64 = 0
        var error: String?
        while true {
            let rc = pcap_next_ex(pcap.p, &header, &data)
            if rc == 1, let header, let data {
                let h = header.pointee
                batch.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(h.caplen)))
                batch.ends.append(batch.bytes.count)
                batch.times.append(Int64(h.ts.tv_sec) * 1_000_000_000 + Int64(h.ts.tv_usec))  // opened with nanosecond precision
                frames += 1
                if batch.bytes.count >= 1 << 20 {
                    WorkProgress.shared.read(frames: Int64(batch.ends.count), bytes: Int64(batch.bytes.count))
                    channel.put(batch)
                    batch = Batch()
                    batch.bytes.reserveCapacity(1 << 20 + 65536)
                }
            } else if rc == -2 {
                break
            } else if rc != 0 {
                error = String(cString: pcap_geterr(pcap.p))
                break
            }
        }
        if !batch.ends.isEmpty { channel.put(batch) }
        channel.finish(frames: frames, error: error)
    }
}
