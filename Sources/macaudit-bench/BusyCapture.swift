import Foundation
import MACAudit

/// A capture shaped like a busy mirror port of an SDN cluster, the shape `capture --senders busy`
/// benchmarks: 12,000 stations (Hyper-V MACs) over 40 VLANs carrying 40,000 TCP flows, most bytes on
/// 32 of them; ARP, DHCP and IPv6 neighbour discovery from all stations; one frame in 25 QinQ; and one
/// in 8 a tenant frame from one of 5,000 tenant MACs in 24 VXLAN VNIs and 12 NVGRE VSIDs, each tenant
/// behind its own host's VTEP (one of 64 provider addresses).
struct BusyCaptureGenerator {
    static let stations = 12_000, vlans = 40, flows = 40_000, elephants = 32
    static let tenants = 5_000, hosts = 64, vxlanNetworks = 24, nvgreNetworks = 12

    var frames: Int

    /// A station's MAC (00-15-5D, Hyper-V's OUI), VLAN and IPv4 address.
    static func station(_ s: Int) -> (mac: UInt64, vlan: UInt16, ip: String) {
        (0x0015_5D00_0000 + UInt64(s), UInt16(100 + s % vlans), "10.\(100 + s % vlans).\(s / 256).\(s % 256)")
    }

    /// Flow `f`'s client and server, both on the client's VLAN, and its ports.
    static func flow(_ f: Int) -> (client: Int, server: Int, sport: UInt16, dport: UInt16) {
        let client = (f &* 7_919) % stations
        let server = client % vlans + vlans * (f % 5)
        return (client, server, UInt16(49_152 + f % 16_000), [443, 445, 3389, 1433, 80][f % 5])
    }

    /// The flow of TCP frame `i`: seven in ten on the 32 elephants, the rest spread over all flows.
    static func flowOf(_ i: Int) -> Int {
        let h = (UInt64(i) &* 0x9E37_79B9_7F4A_7C15) >> 40
        return h % 10 < 7 ? Int(h >> 4) % elephants : Int(h >> 4) % flows
    }

    func frame(_ i: Int, payload: [UInt8]) -> [UInt8] {
        let h = Int((UInt64(i) &* 0xD6E8_FEB8_6659_FD93) >> 33)
        switch i % 200 {
        case 0..<4:   // ARP requests and replies
            let a = Self.station(h % Self.stations), b = Self.station((h / 7) % Self.stations)
            return FrameBuilder.arp(sender: a.mac, senderIP: a.ip, targetIP: b.ip, op: i % 2 == 0 ? 1 : 2, vlans: [a.vlan])
        case 4..<6:   // IPv6 neighbour discovery
            let a = Self.station(h % Self.stations)
            return FrameBuilder.neighbour(advertisement: i % 2 == 0, ethernetSource: a.mac, from: "fe80::\(String(h % Self.stations, radix: 16))",
                                          target: "2001:db8:\(a.vlan)::\(String(h % Self.stations, radix: 16))", linkLayer: a.mac, vlans: [a.vlan])
        case 6 where i % 1_000 == 6:
            let a = Self.station(h % Self.stations)
            return FrameBuilder.dhcp(client: a.mac, op: 1, type: 3, requested: a.ip, hostName: "vm\(h % Self.stations)", vlans: [a.vlan])
        case 7..<15:  // QinQ: the provider's outer tag around the station's
            return tcpFrame(Self.flowOf(i), i, payload: payload, outer: UInt16(2_000 + h % 4))
        case 15..<40: // tenant traffic in VXLAN or NVGRE
            return tenantFrame(h % Self.tenants, i, payload: payload)
        default:
            return tcpFrame(Self.flowOf(i), i, payload: payload, outer: nil)
        }
    }

    /// A data segment from the server or an ACK from the client of flow `f`.
    func tcpFrame(_ f: Int, _ i: Int, payload: [UInt8], outer: UInt16?) -> [UInt8] {
        let flow = Self.flow(f)
        let fromServer = i % 3 != 0
        let src = Self.station(fromServer ? flow.server : flow.client), dst = Self.station(fromServer ? flow.client : flow.server)
        let segment = FrameBuilder.tcp(sport: fromServer ? flow.dport : flow.sport, dport: fromServer ? flow.sport : flow.dport,
                                       sequence: UInt32(truncatingIfNeeded: i &* 1_460), flags: fromServer ? 0x18 : 0x10,
                                       payload: fromServer ? payload : [])
        return FrameBuilder.ethernet(src: src.mac, dst: dst.mac, vlans: outer.map { [$0, src.vlan] } ?? [src.vlan], type: 0x0800,
                                     payload: FrameBuilder.ipv4Packet(src: src.ip, dst: dst.ip, proto: 6, payload: segment))
    }

    /// Tenant `t` (MAC 02-1D-D8-1x-xx-xx) behind host `t % 64`, talking to the next tenant of its network.
    func tenantFrame(_ t: Int, _ i: Int, payload: [UInt8]) -> [UInt8] {
        let host = t % Self.hosts, network = t % (Self.vxlanNetworks + Self.nvgreNetworks)
        let peer = (t + Self.vxlanNetworks + Self.nvgreNetworks) % Self.tenants
        let inner = FrameBuilder.ethernet(src: 0x021D_D810_0000 + UInt64(t), dst: 0x021D_D810_0000 + UInt64(peer), type: 0x0800,
                                          payload: FrameBuilder.ipv4Packet(src: "192.168.\(network).\(t % 250 + 1)", dst: "192.168.\(network).\(peer % 250 + 1)", proto: 6,
                                                                           payload: FrameBuilder.tcp(sport: 50_000, dport: 443, sequence: UInt32(i), payload: Array(payload.prefix(400)))))
        let outer = 0x0200_0A40_0000 + UInt64(host), provider = "10.64.0.\(host + 1)", remote = "10.64.0.\((host + 1) % Self.hosts + 1)"
        return network < Self.vxlanNetworks
            ? FrameBuilder.vxlan(outerSource: outer, providerSource: provider, providerDestination: remote, vni: 5_001 + UInt32(network), inner: inner)
            : FrameBuilder.nvgre(outerSource: outer, providerSource: provider, providerDestination: remote, vsid: 6_001 + UInt32(network - Self.vxlanNetworks), inner: inner)
    }

    func write(to path: String) throws {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else { throw CocoaError(.fileWriteNoPermission) }
        defer { try? handle.close() }
        var out = CaptureGenerator.pcapHeader()
        out.reserveCapacity(8 << 20)
        let payload = [UInt8](repeating: 0x5A, count: 1_200)
        for i in 0..<frames {
            let frame = self.frame(i, payload: payload)
            CaptureGenerator.append(frame, index: i, to: &out)
            if out.count > 8 << 20 { handle.write(Data(out)); out.removeAll(keepingCapacity: true) }
        }
        handle.write(Data(out))
    }
}
