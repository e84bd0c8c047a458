/// Where on the wire: the innermost 802.1Q VLAN (nil when untagged) and the overlay network
/// (VXLAN VNI or NVGRE VSID) of the tenant frame (nil outside an overlay).
public struct WireScope: Hashable, Sendable, Comparable {
    public var vlan: UInt16?
    public var vni: UInt32?

    public init(vlan: UInt16? = nil, vni: UInt32? = nil) { self.vlan = vlan; self.vni = vni }

    public static func < (a: WireScope, b: WireScope) -> Bool {
        (Int(a.vni ?? 0) << 13 | Int(a.vlan ?? 0), a.vni == nil ? 0 : 1) < (Int(b.vni ?? 0) << 13 | Int(b.vlan ?? 0), b.vni == nil ? 0 : 1)
    }

    /// `VLAN 20`, `VNI 5001`, `VNI 5001 / VLAN 20`, or `untagged`.
    public var label: String {
        switch (vni, vlan) {
        case (nil, nil): return "untagged"
        case (nil, let v?): return "VLAN \(v)"
        case (let n?, nil): return "VNI \(n)"
        case (let n?, let v?): return "VNI \(n) / VLAN \(v)"
        }
    }
}

/// A frame of a capture file: the file's index in ``WireSnapshot/files`` and the 1-based frame number.
public struct FrameRef: Hashable, Sendable, Comparable {
    public var file: Int32
    public var frame: Int64

    public init(file: Int32, frame: Int64) { self.file = file; self.frame = frame }
    public static func < (a: FrameRef, b: FrameRef) -> Bool { (a.file, a.frame) < (b.file, b.frame) }
}

/// What a station did on the wire.
public struct StationRoles: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let source = StationRoles(rawValue: 1)
    public static let arpSender = StationRoles(rawValue: 2)
    public static let dhcpClient = StationRoles(rawValue: 4)
    public static let ndOwner = StationRoles(rawValue: 8)
    public static let dadProbe = StationRoles(rawValue: 16)
    public static let arpProbe = StationRoles(rawValue: 32)
    /// Sent VXLAN or NVGRE frames: a host's provider NIC, not a tenant.
    public static let overlayCarrier = StationRoles(rawValue: 64)

    public var names: [String] {
        [(Self.source, "source"), (.arpSender, "arp-sender"), (.arpProbe, "arp-probe"), (.dhcpClient, "dhcp-client"),
         (.ndOwner, "nd-owner"), (.dadProbe, "dad-probe"), (.overlayCarrier, "overlay-carrier")].filter { contains($0.0) }.map(\.1)
    }
}

/// One MAC in one scope, as the wire showed it.
public struct Station: Sendable {
    public var mac: MACAddress
    public var scope: WireScope
    public var roles: StationRoles
    public var frames: Int
    /// Capture timestamps, nanoseconds since the epoch.
    public var firstSeen: Int64
    public var lastSeen: Int64
    public var firstFrame: FrameRef
    /// Outer (provider) source addresses of the overlay frames that carried it, with when.
    public var providers: [ProviderSighting]
    /// DHCP host name (option 12) and client id (option 61), when it asked for an address.
    public var dhcpHostName: String?
    public var dhcpClientId: String?
    public var dhcpRequestedIP: IPAddress?
}

public struct ProviderSighting: Sendable, Hashable {
    public var address: IPAddress
    public var firstSeen: Int64
    public var lastSeen: Int64
    public var frames: Int
    public var firstFrame: FrameRef
}

/// A MAC claiming an IP: an ARP sender address, an ND owner (NA target with TLLA, NS source with
/// SLLA) or a DHCP ACK's yiaddr.
public struct IPClaim: Sendable {
    public var ip: IPAddress
    public var scope: WireScope
    public var mac: MACAddress
    public var firstSeen: Int64
    public var lastSeen: Int64
    public var frames: Int
    public var firstFrame: FrameRef
    /// False while every frame of the claim was an ARP whose sender was not the frame's Ethernet
    /// source: a host that drops such frames, or a forger that only wrote the field. Such a claim
    /// counts only if its MAC is seen sending (``SightingTable/sendingMACs``).
    public var confirmed = true
}

/// An ARP packet whose sender hardware address is not the Ethernet source.
public struct EthernetMismatch: Sendable {
    public var ethernetSource: MACAddress
    public var arpSender: MACAddress
    public var scope: WireScope
    public var frames: Int
    public var firstFrame: FrameRef

    /// Windows NLB in unicast mode: ARP sender 02-BF-W-X-Y-Z (the cluster IP), Ethernet source
    /// 02-hh-W-X-Y-Z. It answers for the cluster MAC by design.
    public static func isNLBUnicast(ethernet: UInt64, sender: UInt64) -> Bool {
        sender >> 32 == 0x02BF && ethernet >> 40 == 0x02 && ethernet & 0xFFFF_FFFF == sender & 0xFFFF_FFFF
    }

    public var isNLBUnicast: Bool { Self.isNLBUnicast(ethernet: ethernetSource.value, sender: arpSender.value) }
}

/// Everything the wire showed, aggregated over integer keys as frames are decoded.
public struct SightingTable: Sendable {
    package struct StationKey: Hashable {
        package var mac: UInt64; package var scope: WireScope
        package init(mac: UInt64, scope: WireScope) { self.mac = mac; self.scope = scope }
    }
    struct ClaimKey: Hashable { var ip: IPAddress; var scope: WireScope; var mac: UInt64 }
    struct PairKey: Hashable { var a: UInt64; var b: UInt64; var scope: WireScope }
    package struct IPScope: Hashable {
        package var ip: IPAddress; package var scope: WireScope
        package init(ip: IPAddress, scope: WireScope) { self.ip = ip; self.scope = scope }
    }

    private var stationIndex = FlatIndex<Key2>()
    /// The station of the previous frame: frames come in bursts from one sender, and a hit skips the hash.
    private var lastStationKey = Key2(a: .max, b: .max)
    private var lastStation = 0
    /// Cold data (MAC, scope, providers, DHCP options) per station…
    private var stationRecords: [Station] = []
    /// …and the counters every frame updates, kept apart in 24 bytes so that a frame touches one
    /// small record instead of a whole station.
    private var counters: [StationCounters] = []

    struct StationCounters {
        var frames: Int32
        var roles: StationRoles
        var firstSeen: Int64
        var lastSeen: Int64
    }

    /// Every station, with its counters.
    public var stations: [Station] {
        zip(stationRecords, counters).map { record, c in
            var s = record
            (s.frames, s.roles, s.firstSeen, s.lastSeen) = (Int(c.frames), c.roles, c.firstSeen, c.lastSeen)
            return s
        }
    }
    private var claimIndex = FlatIndex<Key4>()
    public private(set) var claims: [IPClaim] = []
    private var mismatchIndex: [PairKey: Int] = [:]
    public private(set) var mismatches: [EthernetMismatch] = []
    /// Per IP and scope: its claimants in the order the claim changed hands (the first, then each
    /// new one; at most ``historyLimit`` entries, then only `changes` grows) — arpwatch's events: one
    /// change is "changed ethernet address", a return to an earlier claimant a "flip flop".
    private var claimantIndex = FlatIndex<Key4>()
    private var claimants: [(last: UInt64, history: [UInt64], changes: Int)] = []
    private var claimantLookup: [IPScope: Int] = [:]
    static let historyLimit = 256

    /// With several captures, every claim as it was read, put in time order once all are read
    /// (``orderClaimsByTime()``). Hosts of one network capture the same ARP at the same time: read
    /// one capture after the other, a claim that changed hands once would change back and forth.
    package var ordersClaimsByTime = false
    private var claimEvents: [ClaimEvent] = []

    /// One claim of a claimant record, in the order read (`sequence` breaks ties of time).
    private struct ClaimEvent {
        var claimant: Int32
        var sequence: Int32
        var time: Int64
        var mac: UInt64
    }

    /// The MACs that claimed `ip` in `scope`, in the order the claim changed hands.
    public func claimantHistory(_ ip: IPAddress, _ scope: WireScope) -> [UInt64] {
        claimantLookup[IPScope(ip: ip, scope: scope)].map { claimants[$0].history } ?? []
    }

    /// How many times the MAC claiming `ip` in `scope` changed (0: one claimant throughout).
    public func claimantChanges(_ ip: IPAddress, _ scope: WireScope) -> Int {
        claimantLookup[IPScope(ip: ip, scope: scope)].map { claimants[$0].changes } ?? 0
    }

    /// Every MAC seen as a frame's source (Ethernet or cooked header), in any scope.
    public var sendingMACs: Set<UInt64> {
        Set(zip(stationRecords, counters).compactMap { record, c in c.roles.contains(.source) ? record.mac.value : nil })
    }

    public init() {}

    /// The station of `mac` in `scope`, created on first sight; updates counters and roles.
    @discardableResult
    package mutating func see(_ mac: UInt64, _ scope: WireScope, role: StationRoles, time: Int64, ref: FrameRef,
                      provider: IPAddress? = nil) -> Int {
        let key = Key2(a: mac, b: scope.packed)
        let i: Int, isNew: Bool
        if key == lastStationKey {
            (i, isNew) = (lastStation, false)
        } else {
            let next = Int32(counters.count)
            let found = stationIndex.findOrInsert(key) { next }
            (i, isNew) = (Int(found.value), found.isNew)
            (lastStationKey, lastStation) = (key, i)
        }
        if !isNew {
            counters.withUnsafeMutableBufferPointer { c in
                if role == .source { c[i].frames += 1 }
                c[i].roles.formUnion(role)
                if time > c[i].lastSeen { c[i].lastSeen = time } else if time < c[i].firstSeen { c[i].firstSeen = time }
            }
        } else {
            counters.append(StationCounters(frames: role == .source ? 1 : 0, roles: role, firstSeen: time, lastSeen: time))
            stationRecords.append(Station(mac: MACAddress(value: mac) ?? .placeholder, scope: scope, roles: role, frames: role == .source ? 1 : 0,
                                    firstSeen: time, lastSeen: time, firstFrame: ref, providers: []))
        }
        if let provider { noteProvider(i, provider, time, ref) }
        return i
    }

    private mutating func noteProvider(_ i: Int, _ address: IPAddress, _ time: Int64, _ ref: FrameRef) {
        if let j = stationRecords[i].providers.firstIndex(where: { $0.address == address }) {
            stationRecords[i].providers[j].frames += 1
            stationRecords[i].providers[j].lastSeen = max(stationRecords[i].providers[j].lastSeen, time)
            stationRecords[i].providers[j].firstSeen = min(stationRecords[i].providers[j].firstSeen, time)
        } else {
            stationRecords[i].providers.append(ProviderSighting(address: address, firstSeen: time, lastSeen: time, frames: 1, firstFrame: ref))
        }
    }

    /// `mac` claims `ip` in `scope`; `confirmed` false for an ARP whose sender is not the frame's source.
    package mutating func claim(_ ip: IPAddress, by mac: UInt64, _ scope: WireScope, time: Int64, ref: FrameRef, confirmed: Bool = true) {
        let next = Int32(claims.count)
        let (slot, isNew) = claimIndex.findOrInsert(Key4(a: mac | ip.familyBit, b: scope.packed, c: ip.high, d: ip.low)) { next }
        if isNew {
            claims.append(IPClaim(ip: ip, scope: scope, mac: MACAddress(value: mac) ?? .placeholder, firstSeen: time, lastSeen: time, frames: 1,
                                  firstFrame: ref, confirmed: confirmed))
        } else {
            let i = Int(slot)
            claims[i].frames += 1
            claims[i].lastSeen = max(claims[i].lastSeen, time)
            if confirmed { claims[i].confirmed = true }
        }
        let nextClaimant = Int32(claimants.count)
        let (c, newClaimant) = claimantIndex.findOrInsert(Key4(a: ip.familyBit, b: scope.packed, c: ip.high, d: ip.low)) { nextClaimant }
        if newClaimant {
            claimants.append((mac, [mac], 0))
            claimantLookup[IPScope(ip: ip, scope: scope)] = Int(c)
        } else {
            noteClaimant(Int(c), mac)
        }
        if ordersClaimsByTime {
            claimEvents.append(ClaimEvent(claimant: Int32(c), sequence: Int32(truncatingIfNeeded: claimEvents.count), time: time, mac: mac))
        }
    }

    /// Claimant record `i` is claimed by `mac` next.
    private mutating func noteClaimant(_ i: Int, _ mac: UInt64) {
        guard claimants[i].last != mac else { return }
        claimants[i].last = mac
        claimants[i].changes += 1
        if claimants[i].history.count < Self.historyLimit { claimants[i].history.append(mac) }
    }

    /// Replays the claims of every capture read since ``ordersClaimsByTime`` was set in the order
    /// of their timestamps (frames of one time in the order read), so that who claimed an address
    /// after whom is what happened on the wire, not the order the captures were named in.
    public mutating func orderClaimsByTime() {
        guard !claimEvents.isEmpty else { return }
        claimEvents.sort { ($0.claimant, $0.time, $0.sequence) < ($1.claimant, $1.time, $1.sequence) }
        var previous: Int32 = -1
        for e in claimEvents {
            let i = Int(e.claimant)
            if e.claimant != previous { claimants[i] = (e.mac, [e.mac], 0) } else { noteClaimant(i, e.mac) }
            previous = e.claimant
        }
        claimEvents = []
    }

    package mutating func mismatch(ethernet: UInt64, arp: UInt64, _ scope: WireScope, ref: FrameRef) {
        let key = PairKey(a: ethernet, b: arp, scope: scope)
        if let i = mismatchIndex[key] {
            mismatches[i].frames += 1
        } else {
            mismatchIndex[key] = mismatches.count
            mismatches.append(EthernetMismatch(ethernetSource: MACAddress(value: ethernet) ?? .placeholder, arpSender: MACAddress(value: arp) ?? .placeholder,
                                               scope: scope, frames: 1, firstFrame: ref))
        }
    }

    package mutating func dhcp(_ i: Int, hostName: String?, clientId: String?, requested: IPAddress?) {
        if let hostName { stationRecords[i].dhcpHostName = hostName }
        if let clientId { stationRecords[i].dhcpClientId = clientId }
        if let requested { stationRecords[i].dhcpRequestedIP = requested }
    }
}
