import MACAuditModel
/// Builds well-formed Ethernet frames: for check examples, decoder tests and the benchmark's
/// generated capture. Checksums are left zero (nothing here verifies them).
public enum FrameBuilder {
    public static func mac(_ text: String) -> UInt64 { (try? MACAddress(parsing: text).value) ?? 0 }

    public static func ipv4(_ text: String) -> UInt32 {
        guard let ip = IPAddress(parsing: text), !ip.isV6 else { return 0 }
        return UInt32(ip.low)
    }

    static func put(_ value: UInt64, bytes n: Int, into out: inout [UInt8]) {
        for i in (0..<n).reversed() { out.append(UInt8(truncatingIfNeeded: value >> UInt64(8 * i))) }
    }

    /// Ethernet II with optional 802.1Q tags (outermost first; QinQ outer uses 0x88A8).
    public static func ethernet(src: UInt64, dst: UInt64 = 0xFFFF_FFFF_FFFF, vlans: [UInt16] = [], type: UInt16, payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(18 + payload.count)
        put(dst, bytes: 6, into: &out)
        put(src, bytes: 6, into: &out)
        for (i, vlan) in vlans.enumerated() {
            put(vlans.count > 1 && i == 0 ? 0x88A8 : 0x8100, bytes: 2, into: &out)
            put(UInt64(vlan & 0x0FFF), bytes: 2, into: &out)
        }
        put(UInt64(type), bytes: 2, into: &out)
        return out + payload
    }

    /// An ARP request (op 1) or reply (op 2). A gratuitous ARP has senderIP == targetIP; an RFC 5227
    /// probe has senderIP 0.0.0.0.
    public static func arp(ethernetSource: UInt64? = nil, sender: UInt64, senderIP: String, targetIP: String, op: UInt16 = 1,
                           target: UInt64 = 0, vlans: [UInt16] = []) -> [UInt8] {
        var p: [UInt8] = []
        put(1, bytes: 2, into: &p); put(0x0800, bytes: 2, into: &p); p += [6, 4]; put(UInt64(op), bytes: 2, into: &p)
        put(sender, bytes: 6, into: &p); put(UInt64(ipv4(senderIP)), bytes: 4, into: &p)
        put(target, bytes: 6, into: &p); put(UInt64(ipv4(targetIP)), bytes: 4, into: &p)
        return ethernet(src: ethernetSource ?? sender, vlans: vlans, type: 0x0806, payload: p)
    }

    /// A RARP request (op 3: `sender` asks for `target`'s address) or reply (op 4: the server
    /// `sender` at `senderIP` gives `target` the address `targetIP`), EtherType 0x8035.
    public static func rarp(sender: UInt64, senderIP: String, target: UInt64, targetIP: String, reply: Bool) -> [UInt8] {
        var frame = arp(sender: sender, senderIP: senderIP, targetIP: targetIP, op: reply ? 4 : 3, target: target)
        frame[12] = 0x80; frame[13] = 0x35
        return frame
    }

    /// An IPv4 header (no options) around `payload`.
    public static func ipv4Packet(src: String, dst: String, proto: UInt8, payload: [UInt8]) -> [UInt8] {
        var h: [UInt8] = [0x45, 0]
        put(UInt64(20 + payload.count), bytes: 2, into: &h)
        h += [0, 0, 0x40, 0, 64, proto, 0, 0]
        put(UInt64(ipv4(src)), bytes: 4, into: &h)
        put(UInt64(ipv4(dst)), bytes: 4, into: &h)
        return h + payload
    }

    public static func udp(sport: UInt16, dport: UInt16, payload: [UInt8]) -> [UInt8] {
        var u: [UInt8] = []
        put(UInt64(sport), bytes: 2, into: &u); put(UInt64(dport), bytes: 2, into: &u)
        put(UInt64(8 + payload.count), bytes: 2, into: &u); u += [0, 0]
        return u + payload
    }

    /// A TCP segment (20-byte header, no options) with the given flags (0x10 ACK, 0x18 PSH+ACK, 0x02 SYN).
    public static func tcp(sport: UInt16, dport: UInt16, sequence: UInt32, flags: UInt8 = 0x10, payload: [UInt8]) -> [UInt8] {
        var t: [UInt8] = []
        t.reserveCapacity(20 + payload.count)
        put(UInt64(sport), bytes: 2, into: &t); put(UInt64(dport), bytes: 2, into: &t)
        put(UInt64(sequence), bytes: 4, into: &t); put(0, bytes: 4, into: &t)
        t += [0x50, flags, 0xFF, 0xFF, 0, 0, 0, 0]
        return t + payload
    }

    /// A tenant frame in VXLAN (UDP 4789) between two provider addresses.
    public static func vxlan(outerSource: UInt64, providerSource: String, providerDestination: String, vni: UInt32, inner: [UInt8]) -> [UInt8] {
        var v: [UInt8] = [0x08, 0, 0, 0]
        put(UInt64(vni) << 8, bytes: 4, into: &v)
        let packet = ipv4Packet(src: providerSource, dst: providerDestination, proto: 17, payload: udp(sport: 49152, dport: 4789, payload: v + inner))
        return ethernet(src: outerSource, dst: mac("02-00-00-00-00-FE"), type: 0x0800, payload: packet)
    }

    /// A tenant frame in NVGRE (GRE with key, protocol 0x6558, VSID in the key's top 24 bits).
    public static func nvgre(outerSource: UInt64, providerSource: String, providerDestination: String, vsid: UInt32, inner: [UInt8]) -> [UInt8] {
        var g: [UInt8] = [0x20, 0x00, 0x65, 0x58]
        put(UInt64(vsid) << 8, bytes: 4, into: &g)
        let packet = ipv4Packet(src: providerSource, dst: providerDestination, proto: 47, payload: g + inner)
        return ethernet(src: outerSource, dst: mac("02-00-00-00-00-FE"), type: 0x0800, payload: packet)
    }

    /// A DHCP message (op 1 from the client, op 2 from the server) with type (53), requested IP
    /// (50), host name (12) and client id (61) options.
    public static func dhcp(client: UInt64, op: UInt8, type: UInt8, yiaddr: String = "0.0.0.0", requested: String? = nil,
                            hostName: String? = nil, serverMAC: UInt64 = 0x0200_0000_00FD, vlans: [UInt16] = []) -> [UInt8] {
        var d: [UInt8] = [op, 1, 6, 0, 0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0, 0, 0, 0, 0]
        put(UInt64(ipv4(yiaddr)), bytes: 4, into: &d)
        d += [UInt8](repeating: 0, count: 8)
        put(client, bytes: 6, into: &d)
        d += [UInt8](repeating: 0, count: 10 + 64 + 128)
        d += [0x63, 0x82, 0x53, 0x63, 53, 1, type]
        if let requested { d += [50, 4]; put(UInt64(ipv4(requested)), bytes: 4, into: &d) }
        if let hostName { d += [12, UInt8(hostName.utf8.count)] + Array(hostName.utf8) }
        d += [61, 7, 1]; put(client, bytes: 6, into: &d)
        d += [255]
        let (src, dst, sport, dport): (String, String, UInt16, UInt16) = op == 1 ? ("0.0.0.0", "255.255.255.255", 68, 67) : ("10.0.0.1", "255.255.255.255", 67, 68)
        return ethernet(src: op == 1 ? client : serverMAC, vlans: vlans, type: 0x0800,
                        payload: ipv4Packet(src: src, dst: dst, proto: 17, payload: udp(sport: sport, dport: dport, payload: d)))
    }

    /// An ICMPv6 neighbour solicitation (with SLLA unless `from` is ::) or advertisement (with TLLA).
    public static func neighbour(advertisement: Bool, ethernetSource: UInt64, from: String, target: String, linkLayer: UInt64?,
                                 vlans: [UInt16] = []) -> [UInt8] {
        var icmp: [UInt8] = [advertisement ? 136 : 135, 0, 0, 0, advertisement ? 0x20 : 0, 0, 0, 0]
        let t = IPAddress(parsing: target)!
        put(t.high, bytes: 8, into: &icmp); put(t.low, bytes: 8, into: &icmp)
        if let linkLayer { icmp += [advertisement ? 2 : 1, 1]; put(linkLayer, bytes: 6, into: &icmp) }
        var h: [UInt8] = [0x60, 0, 0, 0]
        put(UInt64(icmp.count), bytes: 2, into: &h)
        h += [58, 255]
        let s = IPAddress(parsing: from)!
        put(s.high, bytes: 8, into: &h); put(s.low, bytes: 8, into: &h)
        put(0xFF02_0000_0000_0000, bytes: 8, into: &h); put(0x0000_0001_FF00_0001, bytes: 8, into: &h)
        return ethernet(src: ethernetSource, dst: 0x3333_FF00_0001, vlans: vlans, type: 0x86DD, payload: h + icmp)
    }

    /// A pcap file header (little-endian, snap length 65535, Ethernet), its record timestamps in
    /// nanoseconds or microseconds.
    public static func pcapHeader(nanosecond: Bool) -> [UInt8] {
        var out: [UInt8] = []
        for (value, bytes) in [(UInt32(nanosecond ? 0xA1B2_3C4D : 0xA1B2_C3D4), 4), (2, 2), (4, 2), (0, 4), (0, 4), (65535, 4), (1, 4)] {
            for k in 0..<bytes { out.append(UInt8(truncatingIfNeeded: value >> (8 * k))) }
        }
        return out
    }

    /// Appends one pcap record: `frame` at `seconds` and `fraction` (of the header's unit).
    public static func appendPCAPRecord(_ frame: [UInt8], seconds: UInt32, fraction: UInt32, to out: inout [UInt8]) {
        for v in [seconds, fraction, UInt32(frame.count), UInt32(frame.count)] { out += withUnsafeBytes(of: v.littleEndian, Array.init) }
        out += frame
    }

    /// A pcap file (nanosecond timestamps) holding `frames`, each at its time in nanoseconds since
    /// the epoch: what a capture on one host wrote.
    public static func pcapFile(_ frames: [(time: Int64, bytes: [UInt8])]) -> [UInt8] {
        var out = pcapHeader(nanosecond: true)
        for frame in frames {
            appendPCAPRecord(frame.bytes, seconds: UInt32(frame.time / 1_000_000_000), fraction: UInt32(frame.time % 1_000_000_000), to: &out)
        }
        return out
    }

    /// Decodes frames (one per ~10 ms from a fixed epoch) into a wire snapshot of one pseudo-file.
    public static func snapshot(_ frames: [[UInt8]], file: String = "example.pcap", spacing: Int64 = 10_000_000) -> WireSnapshot {
        var table = SightingTable()
        for (i, frame) in frames.enumerated() {
            frame.withUnsafeBytes { bytes in
                _ = FrameDecoder.decode(bytes, link: .ethernet, time: 1_795_000_000_000_000_000 + Int64(i) * spacing,
                                        ref: FrameRef(file: 0, frame: Int64(i + 1)), into: &table)
            }
        }
        return WireSnapshot(files: [file], summaries: [], table: table)
    }
}
