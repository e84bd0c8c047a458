import ArgumentParser
import CPcap
import Foundation
import MACAudit
import MACAuditCapture

extension Bench {
    /// Times macaudit's capture path on a generated capture of mixed frames against two baselines in
    /// the same run: the minimal `pcap_next_ex` loop that only counts frames (the floor: nothing can
    /// read a capture faster through libpcap) and `tcpdump -nn -e -r FILE > /dev/null`.
    struct CaptureRun: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "capture", abstract: "Benchmark capture decoding against pcap_next_ex and tcpdump.")
        @Option(help: "Frames to generate.") var frames = 2_000_000
        @Option(help: "Work folder.") var work = "bench-out"
        @Option(help: "Runs per measurement; the best is kept.") var repeats = 3
        @Flag(help: "Leave tcpdump out (when profiling).") var skipTcpdump = false
        @Option(help: "Who sends: 'bursty' (most frames from 256 busy MACs in runs of 8, the rest from 20,000), 'uniform' (20,000 MACs in turn, the worst case for caches) or 'busy' (a mirror port: 40,000 TCP flows, 12,000 stations on 40 VLANs, QinQ, 5,000 tenant MACs in VXLAN and NVGRE).")
        var senders: CaptureGenerator.Senders = .bursty

        func run() throws {
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            let path = "\(work)/mixed-\(frames)-\(senders.rawValue).pcap"
            if !FileManager.default.fileExists(atPath: path) { try CaptureGenerator(frames: frames, senders: senders).write(to: path) }
            let size = Double((try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0)
            _ = countFrames(path)  // warm the page cache
            let floor = best(repeats) { timed { _ = countFrames(path) } }
            var stations = 0
            let ours = best(repeats) {
                timed {
                    var table = SightingTable()
                    _ = try? CaptureReader.read(path: path, fileIndex: 0, into: &table)
                    stations = table.stations.count
                }
            }
            // The whole command as an admin runs it: read, checks and the report written out.
            let binary = try builtMacaudit()
            var commands: [(String, Measurement)] = []
            for format in ["text", "json"] {
                let m = best(repeats) { measure("/bin/sh", ["-c", "'\(binary)' capture '\(path)' --format \(format) --fail-on critical > /dev/null"]) }
                commands.append(("macaudit capture --format \(format) (the command)", m))
            }
            // tcpdump is optional (Debian's tcpdump package): without it the row says so.
            let hasTcpdump = !skipTcpdump && measure("/bin/sh", ["-c", "command -v tcpdump > /dev/null"]).status == 0
            let tcpdump = !hasTcpdump ? Measurement(wall: .nan, peakMiB: 0, status: 0)
                : best(1) { measure("/bin/sh", ["-c", "tcpdump -nn -e -r '\(path)' > /dev/null 2>&1"]) }
            print("machine: \(machine())")
            print(String(format: "capture: %d frames, %.0f MB, %@ senders, %d stations found", frames, size / 1e6, senders.rawValue, stations))
            print("| reader | wall s | frames/s | MB/s | peak MiB | throughput vs pcap_next_ex loop |")
            print("|---|---:|---:|---:|---:|---:|")
            for (name, m) in [("pcap_next_ex counting loop (floor)", floor), ("macaudit decode + sightings (in process)", ours)] + commands + [(hasTcpdump ? "tcpdump -nn -e -r > /dev/null" : "tcpdump (not installed: apt-get install tcpdump)", tcpdump)] {
                print(String(format: "| %@ | %.3f | %.2f M | %.0f | %@ | %.0f%% |", name, m.wall, Double(frames) / m.wall / 1e6, size / 1e6 / m.wall,
                             m.peakMiB > 0 ? String(format: "%.0f", m.peakMiB) : "", 100 * floor.wall / m.wall))
            }
            print(String(format: "macaudit is %.1f× faster than tcpdump and runs at %.0f%% of the counting loop.", tcpdump.wall / ours.wall, 100 * floor.wall / ours.wall))
        }
    }
}

func timed(_ body: () -> Void) -> Measurement {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Measurement(wall: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, peakMiB: 0, status: 0)
}

/// The floor: open as macaudit does (own FILE with a 1 MiB buffer) and count `pcap_next_ex` results.
func countFrames(_ path: String) -> Int {
    guard let file = fopen(path, "rb") else { return 0 }
    setvbuf(file, nil, _IOFBF, 1 << 20)
    var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
    guard let p = pcap_fopen_offline_with_tstamp_precision(file, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errbuf) else { fclose(file); return 0 }
    defer { pcap_close(p) }
    var header: UnsafeMutablePointer<pcap_pkthdr>?
    var data: UnsafePointer<UInt8>?
    var n = 0
    while pcap_next_ex(p, &header, &data) == 1 { n += 1 }
    return n
}

/// Writes a pcap of mixed traffic: bulk IPv4/UDP, ARP, 802.1Q-tagged ARP, VXLAN tenant frames,
/// IPv6 neighbour discovery and DHCP, from 20,000 distinct MACs.
struct CaptureGenerator {
    enum Senders: String, ExpressibleByArgument { case bursty, uniform, busy }

    var frames: Int
    var senders: Senders

    /// The sender of frame `i`: 20,000 MACs in turn, or runs of 8 frames from 256 busy MACs with
    /// every tenth run from the long tail of 20,000.
    func sender(_ i: Int) -> Int {
        switch senders {
        case .uniform, .busy: return i % 20_000
        case .bursty:
            let run = i / 8
            return run % 10 == 9 ? (run &* 7919) % 20_000 : (run &* 31) % 256
        }
    }

    /// The pcap global header: magic, 2.4, zone 0, sigfigs 0, snaplen 65535, Ethernet.
    static func pcapHeader() -> [UInt8] { FrameBuilder.pcapHeader(nanosecond: false) }

    /// Frame `i` with its record header, 100,000 frames a second from a fixed epoch.
    static func append(_ frame: [UInt8], index i: Int, to out: inout [UInt8]) {
        FrameBuilder.appendPCAPRecord(frame, seconds: UInt32(1_795_000_000 + i / 100_000), fraction: UInt32(i % 100_000 * 10), to: &out)
    }

    func write(to path: String) throws {
        if senders == .busy { return try BusyCaptureGenerator(frames: frames).write(to: path) }
        FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else { throw ValidationError("Please give a writable --work folder.") }
        defer { try? handle.close() }
        var out = Self.pcapHeader()
        out.reserveCapacity(8 << 20)
        let bulk = [UInt8](repeating: 0x5A, count: 270)
        for i in 0..<frames {
            let who = sender(i)
            let mac = 0x021D_D800_0000 + UInt64(who)
            let frame: [UInt8]
            switch i % 10 {
            case 0: frame = FrameBuilder.arp(sender: mac, senderIP: "10.\(who >> 8).\(who & 255).1", targetIP: "10.0.0.1")
            case 1: frame = FrameBuilder.arp(sender: mac, senderIP: "10.\(100 + who >> 8).\(who & 255).2", targetIP: "10.1.0.1", vlans: [UInt16(10 + who % 40)])
            case 2: frame = FrameBuilder.vxlan(outerSource: 0x0200_0A0A_0000 + UInt64(who % 16), providerSource: "10.10.0.\(1 + who % 16)",
                                               providerDestination: "10.10.0.200", vni: 5001 + UInt32(who % 8),
                                               inner: FrameBuilder.ethernet(src: mac, dst: 0x021D_D8FF_FFFF, type: 0x0800,
                                                                            payload: FrameBuilder.ipv4Packet(src: "192.168.1.1", dst: "192.168.1.2", proto: 17, payload: FrameBuilder.udp(sport: 5000, dport: 5001, payload: bulk))))
            case 3: frame = FrameBuilder.neighbour(advertisement: true, ethernetSource: mac, from: "fe80::1", target: "2001:db8::\(String(who, radix: 16))", linkLayer: mac)
            case 4 where i % 1000 == 4: frame = FrameBuilder.dhcp(client: mac, op: 1, type: 3, requested: "10.9.0.9", hostName: "vm\(who)")
            default: frame = FrameBuilder.ethernet(src: mac, dst: 0x021D_D8FF_FFFF, type: 0x0800,
                                                   payload: FrameBuilder.ipv4Packet(src: "10.2.0.1", dst: "10.2.0.2", proto: 17, payload: FrameBuilder.udp(sport: 4000, dport: 4001, payload: bulk)))
            }
            Self.append(frame, index: i, to: &out)
            if out.count > 8 << 20 { handle.write(Data(out)); out.removeAll(keepingCapacity: true) }
        }
        handle.write(Data(out))
    }
}
