import MACAuditModel
import MACAuditIngest
/// One tenant MAC behind two provider addresses (two Hyper-V hosts) at overlapping times in one
/// VNI: two VMs with one MAC on different hosts, which HNV delivers to whichever host it learned
/// last. A live migration moves the MAC once — the first provider stops before the second starts —
/// and is not a duplicate.
public struct WireDuplicateCheck: Check {
    public init() {}

    static let vm = FrameBuilder.mac("00-1D-D8-B7-1C-10")
    static func tenantARP(_ provider: String) -> [UInt8] {
        FrameBuilder.vxlan(outerSource: FrameBuilder.mac("02-00-00-00-00-0\(provider.last!)"), providerSource: provider,
                           providerDestination: "10.10.0.9", vni: 5001,
                           inner: FrameBuilder.arp(sender: vm, senderIP: "192.168.10.11", targetIP: "192.168.10.1"))
    }

    public static let info = CheckInfo(
        id: .wireDuplicate,
        summary: "one MAC appears behind two provider addresses at the same time",
        rationale: "Two hosts sending as one tenant MAC means two VMs share it; the fabric delivers to one of them at random.",
        severity: .error,
        remedy: .person,
        question: "Which of the hosts or provider addresses really runs the VM? Look for a stale copy (a VM restored from backup, a failed live migration) and stop it.",
        examples: [
            CheckExample("interleaved from two hosts", frames: [tenantARP("10.10.0.1"), tenantARP("10.10.0.2"), tenantARP("10.10.0.1")],
                         triggers: ["00-1D-D8-B7-1C-10"]),
            CheckExample("a live migration moves once", frames: [tenantARP("10.10.0.1"), tenantARP("10.10.0.1"), tenantARP("10.10.0.2")]),
        ])

    public func findings(in snapshot: Snapshot, rules: Rules) -> [Finding] {
        guard let wire = snapshot.wire else { return [] }
        return wire.table.stations.filter { $0.providers.count > 1 && !$0.mac.isGroup }.compactMap { s in
            let p = s.providers.sorted { $0.firstSeen < $1.firstSeen }
            let overlapping = zip(p, p.dropFirst()).contains { a, b in b.firstSeen <= a.lastSeen }
                || p.count > 2 && p.dropFirst(2).contains { c in p[0].lastSeen >= c.firstSeen }
            guard overlapping else { return nil }
            let list = p.map { "\($0.address) (\($0.frames) frame(s), \(wireTimestamp($0.firstSeen))–\(wireTimestamp($0.lastSeen)))" }.joined(separator: ", ")
            return Self.info.finding(
                mac: s.mac,
                message: "\(s.mac) in \(s.scope.label) is behind \(p.count) provider addresses at overlapping times: \(list)",
                holders: snapshot.holders.filter { $0.mac.address == s.mac },
                extraSubjects: [WireSubjects.station(s)], extraEvidence: p.map { wire.evidence($0.firstFrame) }, rules: rules)
        }
    }
}

extension CheckID {
    public static let wireDuplicate = CheckID("wire-duplicate")
}
