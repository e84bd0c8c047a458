import MACAuditModel
import MACAuditIngest
/// Two or more holders use one MAC. The scope decides how bad it is: on one host's virtual switch
/// both ports break at once; in one cluster and VLAN or virtual subnet the L2 segment sees one MAC
/// in two places; elsewhere in the cluster a single live migration brings them onto one switch;
/// across clusters it is a latent conflict. The all-zero placeholder is never an address.
public struct DuplicateMACCheck: Check {
    public init() {}

    /// Where the holders share the MAC: one switch, one L2 segment, one cluster, the fleet.
    public enum Variant: String, CheckVariant { case `switch`, segment, cluster, fleet }

    public static let info = CheckInfo(
        id: .duplicateMAC,
        summary: "a MAC is held by more than one adapter or NC interface",
        rationale: "Duplicate MACs break traffic for both holders, often only after a live migration puts them on one switch.",
        severity: .error,
        remedy: .move,
        variants: [Variant.switch: .critical, .segment: .error, .cluster: .error, .fleet: .warning],
        examples: [
            CheckExample("two VMs on one host and switch", Inventory(adapters: [
                Example.vm("A", "00155D010101"), Example.vm("B", "00-15-5D-01-01-01"),
            ]), triggers: ["00-15-5D-01-01-01"], severity: .critical),
            CheckExample("same cluster and VLAN, different hosts", Inventory(adapters: [
                Example.vm("A", "00155D010101", host: "HV01", vlan: 20), Example.vm("B", "00155D010101", host: "HV02", vlan: 20),
            ]), triggers: ["00-15-5D-01-01-01"], severity: .error),
            CheckExample("different clusters", Inventory(adapters: [
                Example.vm("A", "00155D010101", cluster: "C1"), Example.vm("B", "00155D010101", host: "HV09", cluster: "C2"),
            ]), triggers: ["00-15-5D-01-01-01"], severity: .warning),
            CheckExample("placeholders are not duplicates", Inventory(adapters: [
                Example.vm("A", "000000000000", dynamic: true), Example.vm("B", "000000000000", dynamic: true),
            ])),
            CheckExample("an adapter and its own NC interface are one holder", Inventory(
                adapters: [Example.vm("A", "001DD8B71C20")],
                portProfiles: [Example.profile("A", "001DD8B71C20", instance: "i-1")],
                interfaces: [Example.nic("a-nic", "001DD8B71C20", instance: "i-1")])),
            CheckExample("one adapter reported by two hosts during a migration", Inventory(adapters: [
                Example.vm("A", "00155D010101", host: "HV01"), Example.vm("A", "00155D010101", host: "HV02"),
            ])),
            CheckExample("two NC interfaces share a MAC", Inventory(interfaces: [
                Example.nic("n1", "001DD8B71C30"), Example.nic("n2", "001DD8B71C30"),
            ]), triggers: ["00-1D-D8-B7-1C-30"], severity: .error),
        ])

    public func findings(in snapshot: Snapshot, rules: Rules) -> [Finding] {
        // Sort (MAC, holder) pairs by integer MAC and walk runs of equal MACs: no per-MAC arrays.
        var pairs: [(mac: UInt64, index: Int)] = []
        pairs.reserveCapacity(snapshot.holders.count)
        for (i, holder) in snapshot.holders.enumerated() {
            if let mac = holder.mac.address { pairs.append((mac.value, i)) }
        }
        pairs.sort { $0.mac < $1.mac || ($0.mac == $1.mac && $0.index < $1.index) }
        var out: [Finding] = []
        var start = 0
        while start < pairs.count {
            var end = start + 1
            while end < pairs.count && pairs[end].mac == pairs[start].mac { end += 1 }
            if end - start > 1, let f = finding(pairs[start..<end].map { snapshot.holders[$0.index] }, rules) { out.append(f) }
            start = end
        }
        return out
    }

    private func finding(_ holders: [Holder], _ rules: Rules) -> Finding? {
        let scope = Self.scope(of: holders)
        let mac = holders[0].mac.address!
        let names = holders.map(\.label).joined(separator: "; ")
        return Self.info.finding(scope.variant, mac: mac,
                                 message: "\(mac) is held by \(holders.count) holders \(scope.phrase): \(names)",
                                 holders: holders, rules: rules)
    }

    enum Scope: Int, Comparable {
        case fleet, cluster, segment, `switch`

        var variant: Variant {
            switch self {
            case .fleet: return .fleet
            case .cluster: return .cluster
            case .segment: return .segment
            case .switch: return .switch
            }
        }

        var phrase: String {
            switch self {
            case .switch: return "on one host's virtual switch"
            case .segment: return "in one cluster and L2 segment"
            case .cluster: return "in one cluster (one live migration from sharing a switch)"
            case .fleet: return "in different clusters"
            }
        }

        static func < (a: Scope, b: Scope) -> Bool { a.rawValue < b.rawValue }
    }

    /// The narrowest scope any two of the holders share.
    static func scope(of holders: [Holder]) -> Scope {
        var best = Scope.fleet
        for i in holders.indices {
            for j in holders.indices where j > i {
                let a = holders[i], b = holders[j]
                guard a.cluster == b.cluster else { continue }
                if let s = a.switchKey, s == b.switchKey { return .switch }
                best = max(best, a.segment == b.segment ? .segment : .cluster)
            }
        }
        return best
    }
}

extension CheckID {
    public static let duplicateMAC = CheckID("duplicate-mac")
}
