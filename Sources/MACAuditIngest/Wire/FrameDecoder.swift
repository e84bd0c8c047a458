import MACAuditModel
/// The link layer of a capture (pcap `LINKTYPE_` values).
public enum LinkType: Sendable, Equatable {
    case ethernet          // 1
    case linuxCooked       // 113, SLL
    case linuxCooked2      // 276, SLL2
    case rawIP             // 101, 12, 14, 228, 229: no MAC addresses at all; skipped and counted
    case other(Int32)

    public init(pcap value: Int32) {
        switch value {
        case 1: self = .ethernet
        case 113: self = .linuxCooked
        case 276: self = .linuxCooked2
        case 12, 14, 101, 228, 229: self = .rawIP
        default: self = .other(value)
        }
    }
}

/// Turns frame bytes into sightings, in the pure core so that it can be fuzzed without libpcap.
/// Every read goes through ``ByteReader``; a frame that ends early yields what was read before
/// the end, never a trap.
///
/// Decoded: Ethernet II and Linux cooked (SLL, SLL2) frames with 802.1Q / QinQ tags (0x8100,
/// 0x88A8, 0x9100); ARP (requests, replies, gratuitous, RFC 5227 probes and announcements) and
/// RARP; IPv4/UDP DHCP (chaddr, options 12,
/// 50, 53, 61); IPv6/ICMPv6 neighbour solicitation and advertisement with link-layer options,
/// and DAD (NS from ::); VXLAN (UDP 4789) and NVGRE (GRE 0x6558, VSID in the key), whose tenant
/// frame is decoded in the overlay's scope with the outer source kept as the provider address.
public enum FrameDecoder {
    public enum Outcome: Sendable, Equatable {
        case decoded
        case skippedRawIP
        case unsupportedLink
        case truncated
        /// An ARP or RARP frame with an opcode no host acts on: ignored, counted.
        case malformedARP
    }

    /// Nesting of overlays accepted (VXLAN inside VXLAN inside…): bounded so hostile input cannot recurse deeply.
    static let maximumEncapsulation = 4

    public static func decode(_ bytes: UnsafeRawBufferPointer, link: LinkType, time: Int64, ref: FrameRef,
                              into table: inout SightingTable) -> Outcome {
        var r = ByteReader(bytes)
        switch link {
        case .ethernet:
            return ethernet(&r, scope: WireScope(), provider: nil, depth: 0, time: time, ref: ref, table: &table)
        case .linuxCooked:
            // packet type(2) ARPHRD(2) address length(2) address(8) protocol(2)
            guard r.skip(2), let hatype = r.u16(), let alen = r.u16(), r.remaining >= 10 else { return .truncated }
            var address = ByteReader(r.bytes, offset: r.offset)
            _ = r.skip(8)
            guard let proto = r.u16() else { return .truncated }
            return cooked(proto, &r, source: hatype == 1 && alen == 6 ? address.mac() : nil, time: time, ref: ref, table: &table)
        case .linuxCooked2:
            // protocol(2) reserved(2) ifindex(4) ARPHRD(2) packet type(1) address length(1) address(8)
            guard let proto = r.u16(), r.skip(6), let hatype = r.u16(), r.skip(1), let alen = r.u8(), r.remaining >= 8 else { return .truncated }
            var address = ByteReader(r.bytes, offset: r.offset)
            _ = r.skip(8)
            return cooked(proto, &r, source: hatype == 1 && alen == 6 ? address.mac() : nil, time: time, ref: ref, table: &table)
        case .rawIP:
            return .skippedRawIP
        case .other:
            return .unsupportedLink
        }
    }

    /// A Linux cooked (SLL, SLL2) payload: its protocol may be a VLAN tag, as libpcap writes for
    /// `-i any` on a tagged interface; the cooked header's Ethernet source, when it has one, is the
    /// frame's source as in Ethernet (stations, ARP sender checks).
    static func cooked(_ proto: UInt16, _ r: inout ByteReader, source: UInt64?, time: Int64, ref: FrameRef, table: inout SightingTable) -> Outcome {
        var type = proto, scope = WireScope()
        guard tags(&r, &type, &scope) else { return .truncated }
        if let source { table.see(source, scope, role: .source, time: time, ref: ref) }
        return payload(type, &r, scope: scope, provider: nil, ethernetSource: source, depth: 0, time: time, ref: ref, table: &table)
    }

    /// 802.1Q / QinQ tags (0x8100, 0x88A8, 0x9100) until the EtherType behind them; false when the
    /// frame ends inside them. The innermost VLAN id is the scope; id 0 (a priority tag) leaves the
    /// frame in the segment it was in, as switches treat it.
    static func tags(_ r: inout ByteReader, _ type: inout UInt16, _ scope: inout WireScope) -> Bool {
        var count = 0
        while type == 0x8100 || type == 0x88A8 || type == 0x9100 {
            guard count < 8, let tci = r.u16(), let next = r.u16() else { return false }
            if tci & 0x0FFF != 0 { scope.vlan = tci & 0x0FFF }
            type = next
            count += 1
        }
        return true
    }

    /// Ethernet II: destination, source, tags, EtherType.
    static func ethernet(_ r: inout ByteReader, scope outer: WireScope, provider: IPAddress?, depth: Int, time: Int64, ref: FrameRef,
                         table: inout SightingTable) -> Outcome {
        guard r.skip(6), let src = r.mac(), var type = r.u16() else { return .truncated }
        var scope = outer
        guard tags(&r, &type, &scope) else { return .truncated }
        table.see(src, scope, role: .source, time: time, ref: ref, provider: provider)
        return payload(type, &r, scope: scope, provider: provider, ethernetSource: src, depth: depth, time: time, ref: ref, table: &table)
    }

    static func payload(_ type: UInt16, _ r: inout ByteReader, scope: WireScope, provider: IPAddress?, ethernetSource: UInt64?, depth: Int,
                        time: Int64, ref: FrameRef, table: inout SightingTable) -> Outcome {
        switch type {
        case 0x0806: return arp(&r, reverse: false, scope: scope, ethernetSource: ethernetSource, time: time, ref: ref, table: &table)
        case 0x8035: return arp(&r, reverse: true, scope: scope, ethernetSource: ethernetSource, time: time, ref: ref, table: &table)
        case 0x0800: return ipv4(&r, scope: scope, ethernetSource: ethernetSource, depth: depth, time: time, ref: ref, table: &table)
        case 0x86DD: return ipv6(&r, scope: scope, ethernetSource: ethernetSource, depth: depth, time: time, ref: ref, table: &table)
        default: return .decoded
        }
    }

    /// ARP (and, with `reverse`, RARP) for IPv4 over Ethernet: htype 1, ptype 0x0800, hlen 6, plen 4.
    /// Only what a host acts on claims an address: ARP requests and replies (opcodes 1 and 2) claim
    /// the sender's IP, a RARP reply (4) both the server's and the one it gives the target; a RARP
    /// request (3) claims nothing, any other opcode is ``Outcome/malformedARP``. A sender that is not
    /// the frame's Ethernet source is a mismatch, and its claim counts only if that MAC is seen
    /// sending (``SightingTable/claim(_:by:_:time:ref:confirmed:)``); Windows NLB's cluster MAC is
    /// a sender by design.
    static func arp(_ r: inout ByteReader, reverse: Bool, scope: WireScope, ethernetSource: UInt64?, time: Int64, ref: FrameRef,
                    table: inout SightingTable) -> Outcome {
        guard let htype = r.u16(), let ptype = r.u16(), let hlen = r.u8(), let plen = r.u8(), let op = r.u16() else { return .truncated }
        guard htype == 1, ptype == 0x0800, hlen == 6, plen == 4 else { return .decoded }
        guard let sha = r.mac(), let spa = r.u32(), let tha = r.mac(), let tpa = r.u32() else { return .truncated }
        guard reverse ? (op == 3 || op == 4) : (op == 1 || op == 2) else { return .malformedARP }
        let forged = ethernetSource.map { $0 != sha && !EthernetMismatch.isNLBUnicast(ethernet: $0, sender: sha) } ?? false
        if let ethernetSource, ethernetSource != sha { table.mismatch(ethernet: ethernetSource, arp: sha, scope, ref: ref) }
        if reverse {
            guard op == 4 else { return .decoded }  // a RARP request asks; it claims nothing
            if spa != 0 { table.claim(IPAddress(v4: spa), by: sha, scope, time: time, ref: ref, confirmed: !forged) }
            if tpa != 0 { table.claim(IPAddress(v4: tpa), by: tha, scope, time: time, ref: ref) }
        } else if spa == 0 {
            table.see(sha, scope, role: .arpProbe, time: time, ref: ref)  // RFC 5227 probe: claims nothing yet
        } else {
            table.see(sha, scope, role: .arpSender, time: time, ref: ref)
            table.claim(IPAddress(v4: spa), by: sha, scope, time: time, ref: ref, confirmed: !forged)
        }
        return .decoded
    }

    static func ipv4(_ r: inout ByteReader, scope: WireScope, ethernetSource: UInt64?, depth: Int, time: Int64, ref: FrameRef,
                     table: inout SightingTable) -> Outcome {
        let start = r.offset
        guard let versionIHL = r.u8(), versionIHL >> 4 == 4 else { return .decoded }
        let headerLength = Int(versionIHL & 0x0F) * 4
        guard headerLength >= 20, r.skip(1), let totalLength = r.u16(), r.skip(2), let fragment = r.u16(), r.skip(1),
              let proto = r.u8(), r.skip(2), let src = r.u32(), r.skip(4) else { return .truncated }
        guard r.skip(headerLength - 20) else { return .truncated }
        guard fragment & 0x1FFF == 0 else { return .decoded }  // a later fragment has no transport header
        // Trust the IP length only when it fits; a capture may be cut short by its snap length.
        let available = min(r.remaining, max(0, Int(totalLength) - (r.offset - start)))
        guard var body = r.sub(available) else { return .truncated }
        let provider = IPAddress(v4: src)
        switch proto {
        case 17: return udp(&body, scope: scope, provider: provider, carrier: ethernetSource, depth: depth, time: time, ref: ref, table: &table)
        case 47: return gre(&body, scope: scope, provider: provider, carrier: ethernetSource, depth: depth, time: time, ref: ref, table: &table)
        default: return .decoded
        }
    }

    static func udp(_ r: inout ByteReader, scope: WireScope, provider: IPAddress, carrier: UInt64?, depth: Int, time: Int64, ref: FrameRef,
                    table: inout SightingTable) -> Outcome {
        guard let sport = r.u16(), let dport = r.u16(), r.skip(4) else { return .truncated }
        if dport == 4789 {
            // VXLAN: flags(1, I = 0x08) reserved(3) VNI(3) reserved(1), then the tenant Ethernet frame.
            guard depth < maximumEncapsulation, let flags = r.u8(), r.skip(3), let vniAndReserved = r.u32() else { return .truncated }
            guard flags & 0x08 != 0 else { return .decoded }
            if let carrier { table.see(carrier, scope, role: .overlayCarrier, time: time, ref: ref) }
            return ethernet(&r, scope: WireScope(vlan: nil, vni: vniAndReserved >> 8), provider: provider, depth: depth + 1,
                            time: time, ref: ref, table: &table)
        }
        if (sport == 68 && dport == 67) || (sport == 67 && dport == 68) {
            return dhcp(&r, scope: scope, time: time, ref: ref, table: &table)
        }
        return .decoded
    }

    /// GRE (RFC 2784/2890); NVGRE carries Ethernet (0x6558) with the VSID in the key's top 24 bits.
    static func gre(_ r: inout ByteReader, scope: WireScope, provider: IPAddress, carrier: UInt64?, depth: Int, time: Int64, ref: FrameRef,
                    table: inout SightingTable) -> Outcome {
        guard let flags = r.u16(), let proto = r.u16() else { return .truncated }
        if flags & 0x8000 != 0 { guard r.skip(4) else { return .truncated } }  // checksum + reserved
        var vsid: UInt32?
        if flags & 0x2000 != 0 {
            guard let key = r.u32() else { return .truncated }
            vsid = key >> 8
        }
        if flags & 0x1000 != 0 { guard r.skip(4) else { return .truncated } }  // sequence number
        guard proto == 0x6558, depth < maximumEncapsulation else { return .decoded }
        if let carrier { table.see(carrier, scope, role: .overlayCarrier, time: time, ref: ref) }
        return ethernet(&r, scope: WireScope(vlan: nil, vni: vsid ?? 0), provider: provider, depth: depth + 1, time: time, ref: ref, table: &table)
    }

    /// BOOTP/DHCP (RFC 2131/2132): the client hardware address and the options that identify it.
    static func dhcp(_ r: inout ByteReader, scope: WireScope, time: Int64, ref: FrameRef, table: inout SightingTable) -> Outcome {
        guard let op = r.u8(), let htype = r.u8(), let hlen = r.u8(), r.skip(1 + 4 + 2 + 2 + 4), let yiaddr = r.u32(), r.skip(8),
              r.remaining >= 16 else { return .truncated }
        var chaddrReader = ByteReader(r.bytes, offset: r.offset)
        guard r.skip(16 + 64 + 128), let cookie = r.u32() else { return .truncated }
        guard htype == 1, hlen == 6, let chaddr = chaddrReader.mac() else { return .decoded }
        var messageType: UInt8?, hostName: String?, clientId: String?, requested: IPAddress?
        if cookie == 0x6382_5363 {
            while let code = r.u8(), code != 255 {
                if code == 0 { continue }
                guard let length = r.u8(), var value = r.sub(Int(length)) else { break }
                switch code {
                case 53: messageType = value.u8()
                case 50: requested = value.u32().map(IPAddress.init(v4:))
                case 12: hostName = String(decoding: value.rest, as: UTF8.self)
                case 61: clientId = value.rest.map { String($0, radix: 16).leftPadded(to: 2) }.joined(separator: ":")
                default: break
                }
            }
        }
        if op == 1 {
            let i = table.see(chaddr, scope, role: .dhcpClient, time: time, ref: ref)
            table.dhcp(i, hostName: hostName, clientId: clientId, requested: requested)
        } else if op == 2, messageType == 5, yiaddr != 0 {
            table.claim(IPAddress(v4: yiaddr), by: chaddr, scope, time: time, ref: ref)  // DHCPACK: the address is now the client's
        }
        return .decoded
    }

    static func ipv6(_ r: inout ByteReader, scope: WireScope, ethernetSource: UInt64?, depth: Int, time: Int64, ref: FrameRef,
                     table: inout SightingTable) -> Outcome {
        guard let first = r.u8(), first >> 4 == 6, r.skip(3), let payloadLength = r.u16(), var next = r.u8(), r.skip(1),
              let src = r.ipv6(), r.skip(16) else { return .truncated }
        guard var body = r.sub(min(r.remaining, Int(payloadLength))) else { return .truncated }
        var headers = 0
        while next == 0 || next == 43 || next == 60 || next == 44 {
            guard headers < 8, let n = body.u8(), let length = body.u8() else { return .truncated }
            if next == 44 {
                guard body.skip(6) else { return .truncated }
            } else {
                guard body.skip(Int(length) * 8 + 6) else { return .truncated }
            }
            next = n
            headers += 1
        }
        switch next {
        case 58: return icmpv6(&body, source: src, scope: scope, ethernetSource: ethernetSource, time: time, ref: ref, table: &table)
        case 17: return udp(&body, scope: scope, provider: src, carrier: ethernetSource, depth: depth, time: time, ref: ref, table: &table)
        default: return .decoded
        }
    }

    /// Neighbour solicitation (135) and advertisement (136) with their link-layer address options.
    static func icmpv6(_ r: inout ByteReader, source: IPAddress, scope: WireScope, ethernetSource: UInt64?, time: Int64, ref: FrameRef,
                       table: inout SightingTable) -> Outcome {
        guard let type = r.u8(), r.skip(3) else { return .truncated }
        guard type == 135 || type == 136 else { return .decoded }
        guard r.skip(4), let target = r.ipv6() else { return .truncated }
        var sourceLink: UInt64?, targetLink: UInt64?
        while let optionType = r.u8(), let units = r.u8(), units > 0 {
            guard var option = r.sub(Int(units) * 8 - 2) else { break }
            if optionType == 1 { sourceLink = option.mac() } else if optionType == 2 { targetLink = option.mac() }
        }
        if type == 135 {
            if source.isUnspecified {
                if let ethernetSource { table.see(ethernetSource, scope, role: .dadProbe, time: time, ref: ref) }  // DAD for `target`
            } else if let sourceLink {
                table.see(sourceLink, scope, role: .ndOwner, time: time, ref: ref)
                table.claim(source, by: sourceLink, scope, time: time, ref: ref)
            }
        } else if let targetLink {
            table.see(targetLink, scope, role: .ndOwner, time: time, ref: ref)
            table.claim(target, by: targetLink, scope, time: time, ref: ref)
        }
        return .decoded
    }
}
