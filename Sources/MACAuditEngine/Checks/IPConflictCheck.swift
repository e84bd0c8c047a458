import MACAuditModel
import MACAuditIngest
/// One IP claimed by two MACs in one VLAN or VNI — arpwatch's "changed ethernet address" (the
/// claim changed hands; warning) and "flip flop" (it came back to an earlier claimant; error).
/// Claims come only from frames a host acts on: an ARP sender that is not its frame's source
/// claims nothing unless it sends frames itself. IPv4 from ARP and DHCP ACKs, IPv6
/// from neighbour advertisements and solicitations. RFC 5227 probes (sender 0.0.0.0) and DAD
/// solicitations (from ::) claim nothing.
public struct IPConflictCheck: Check {
    public init() {}

    /// Arpwatch's two words: an IP that changed owner once, and one that keeps changing.
    public enum Variant: String, CheckVariant { case flipFlop = "flip-flop", changed }

    static let a = FrameBuilder.mac("00-15-5D-00-00-0A"), b = FrameBuilder.mac("00-15-5D-00-00-0B")
    static let c = FrameBuilder.mac("00-15-5D-00-00-0C")

    public static let info = CheckInfo(
        id: .ipConflict,
        summary: "an IP address is claimed by more than one MAC",
        rationale: "Two hosts answering for one address split its traffic between them; a flip-flop is a live conflict.",
        severity: .error,
        remedy: .person,
        question: "Which station owns the IP address? Find the other MAC's switch port (the physical switch's MAC table) and stop the one that should not have it.",
        variants: [Variant.flipFlop: .error, .changed: .warning],
        examples: [
            CheckExample("a flip flop between two MACs", frames: [
                FrameBuilder.arp(sender: a, senderIP: "10.0.0.5", targetIP: "10.0.0.1"),
                FrameBuilder.arp(sender: b, senderIP: "10.0.0.5", targetIP: "10.0.0.1"),
                FrameBuilder.arp(sender: a, senderIP: "10.0.0.5", targetIP: "10.0.0.1"),
            ], triggers: ["00-15-5D-00-00-0A"], severity: .error),
            CheckExample("an IPv6 address advertised by two MACs", frames: [
                FrameBuilder.neighbour(advertisement: true, ethernetSource: a, from: "fe80::5", target: "2001:db8::5", linkLayer: a),
                FrameBuilder.neighbour(advertisement: true, ethernetSource: b, from: "fe80::6", target: "2001:db8::5", linkLayer: b),
            ], triggers: ["00-15-5D-00-00-0A"], severity: .warning),
            CheckExample("the same IP in two VLANs", frames: [
                FrameBuilder.arp(sender: a, senderIP: "10.0.0.5", targetIP: "10.0.0.1", vlans: [10]),
                FrameBuilder.arp(sender: b, senderIP: "10.0.0.5", targetIP: "10.0.0.1", vlans: [20]),
            ]),
            CheckExample("owners that change without coming back are a changed address", frames: [
                FrameBuilder.arp(sender: a, senderIP: "10.0.0.5", targetIP: "10.0.0.1"),
                FrameBuilder.arp(sender: b, senderIP: "10.0.0.5", targetIP: "10.0.0.1"),
                FrameBuilder.arp(sender: c, senderIP: "10.0.0.5", targetIP: "10.0.0.1"),
            ], triggers: ["00-15-5D-00-00-0A"], severity: .warning),
            CheckExample("a forged ARP sender that never sends claims nothing", frames: [
                FrameBuilder.arp(sender: a, senderIP: "10.0.0.5", targetIP: "10.0.0.1"),
                FrameBuilder.arp(ethernetSource: c, sender: b, senderIP: "10.0.0.5", targetIP: "10.0.0.1"),
                FrameBuilder.arp(sender: a, senderIP: "10.0.0.5", targetIP: "10.0.0.1"),
            ]),
            CheckExample("a mismatching ARP sender that also sends is a claimant", frames: [
                FrameBuilder.arp(sender: a, senderIP: "10.0.0.5", targetIP: "10.0.0.1"),
                FrameBuilder.arp(ethernetSource: c, sender: b, senderIP: "10.0.0.5", targetIP: "10.0.0.1"),
                FrameBuilder.arp(sender: b, senderIP: "10.0.0.6", targetIP: "10.0.0.1"),
            ], triggers: ["00-15-5D-00-00-0A"], severity: .warning),
            CheckExample("a priority-tagged frame is in the untagged segment", frames: [
                FrameBuilder.arp(sender: a, senderIP: "10.0.0.5", targetIP: "10.0.0.1"),
                FrameBuilder.arp(sender: b, senderIP: "10.0.0.5", targetIP: "10.0.0.1", vlans: [0]),
            ], triggers: ["00-15-5D-00-00-0A"], severity: .warning),
            CheckExample("a RARP reply gives its target the address", frames: [
                FrameBuilder.rarp(sender: c, senderIP: "10.0.0.1", target: a, targetIP: "10.0.0.9", reply: true),
                FrameBuilder.arp(sender: b, senderIP: "10.0.0.9", targetIP: "10.0.0.1"),
            ], triggers: ["00-15-5D-00-00-0A"], severity: .warning),
            CheckExample("an ARP opcode other than request or reply claims nothing", frames: [
                FrameBuilder.arp(sender: a, senderIP: "10.0.0.5", targetIP: "10.0.0.1"),
                FrameBuilder.arp(sender: b, senderIP: "10.0.0.5", targetIP: "10.0.0.1", op: 9),
            ]),
            CheckExample("an RFC 5227 probe claims nothing", frames: [
                FrameBuilder.arp(sender: a, senderIP: "10.0.0.5", targetIP: "10.0.0.1"),
                FrameBuilder.arp(sender: b, senderIP: "0.0.0.0", targetIP: "10.0.0.5"),
            ]),
        ])

    public func findings(in snapshot: Snapshot, rules: Rules) -> [Finding] {
        guard let wire = snapshot.wire else { return [] }
        // A claim made only by ARP frames that forge their sender counts when that MAC sends frames itself.
        let sending = wire.table.sendingMACs
        let real = wire.table.claims.filter { $0.confirmed || sending.contains($0.mac.value) }
        let groups = Dictionary(grouping: real, by: { SightingTable.IPScope(ip: $0.ip, scope: $0.scope) })
        return groups.filter { Set($0.value.map(\.mac)).count > 1 }.sorted { ($0.key.ip, $0.key.scope) < ($1.key.ip, $1.key.scope) }.compactMap { key, claims in
            let ordered = claims.sorted { $0.firstSeen < $1.firstSeen }
            let owners = Self.owners(wire.table.claimantHistory(key.ip, key.scope), among: Set(claims.map(\.mac.value)))
            let flipFlop = Set(owners).count < owners.count
            let changes = owners.count - 1
            let who = ordered.map { "\($0.mac) (\($0.frames) frame(s) from \(wireTimestamp($0.firstSeen)))" }.joined(separator: ", ")
            let what = flipFlop ? "flip flop, the claimant changed \(changes) times and came back" : changes > 1 ? "changed ethernet address \(changes) times" : "changed ethernet address"
            return Self.info.finding(
                flipFlop ? Variant.flipFlop : .changed, mac: ordered[0].mac,
                message: "\(key.ip) in \(key.scope.label) is claimed by \(who): \(what)",
                holders: snapshot.holders.filter { h in claims.contains { $0.mac == h.mac.address } },
                extraSubjects: ordered.map { Subject(kind: "station", name: key.scope.label, id: $0.mac.description) },
                extraEvidence: ordered.map { wire.evidence($0.firstFrame) }, rules: rules)
        }
    }

    /// The claim's owners in the order it changed hands, counting only `real` claimants (a forged
    /// sender between two frames of one owner is no change).
    static func owners(_ history: [UInt64], among real: Set<UInt64>) -> [UInt64] {
        var out: [UInt64] = []
        for mac in history where real.contains(mac) && out.last != mac { out.append(mac) }
        return out
    }
}

extension CheckID {
    public static let ipConflict = CheckID("ip-conflict")
}
