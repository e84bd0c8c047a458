import Foundation
import MACAuditModel
import MACAuditIngest
/// What may become a pool, decided once for every backend: a store asks these rules inside its
/// write transaction and throws what they say, so SQLite and PostgreSQL refuse the same pools with
/// the same words.
public enum PoolRules {
    /// The refusal of a spec on its own: no range, a range holding group (multicast) addresses, or
    /// one crossing an OUI boundary (unless `allowOverlap` says that is intended).
    public static func refusal(of spec: PoolSpec, allowOverlap: Bool) -> StoreError? {
        guard !spec.name.trimmingCharacters(in: .whitespaces).isEmpty else { return .refused("a pool needs a name") }
        guard !spec.ranges.isEmpty else { return .refused("pool '\(spec.name)' has no range") }
        for r in spec.ranges {
            if r.lower.isGroup || r.upper.isGroup || r.lower.firstOctet != r.upper.firstOctet {
                return .refused("pool '\(spec.name)' is refused: range \(r) holds group (multicast) addresses (an odd first octet)")
            }
            if !r.staysWithinOneOUI && !allowOverlap {
                return .refused("pool '\(spec.name)' is refused: range \(r) crosses an OUI boundary (its first three octets change); give --allow-overlap if that is intended")
            }
        }
        return nil
    }

    /// What adding `spec` means when a pool of the same name is already stored: nothing when it is
    /// the same allocation (a second import of one file), a refusal otherwise.
    public static func sameName(_ spec: PoolSpec, existing: PoolSpec) throws -> PoolAddOutcome {
        if existing.sameAllocation(as: spec) { return .unchanged }
        throw StoreError.refused("pool '\(spec.name)' already exists with other ranges or scope (\(existing.ranges.map(\.description).joined(separator: ", "))); remove it first")
    }

    /// The refusal for a range of `spec` that overlaps `other`'s range `otherRange` (the first such
    /// pair the store's index finds), unless overlap is intended.
    public static func overlapRefusal(_ spec: PoolSpec, range: MACRange, other name: String, otherRange: MACRange, allowOverlap: Bool) -> StoreError? {
        guard !allowOverlap, range.lower <= otherRange.upper, otherRange.lower <= range.upper else { return nil }
        return .refused("pool '\(spec.name)' is refused: range \(range) overlaps pool '\(name)' (\(otherRange)); give --allow-overlap if that is intended")
    }
}

extension PoolRules {
    /// The addresses no pool may cover and no reservation may hand out: the all-zero placeholder,
    /// the broadcast address, and every range the rules' reserved prefixes name at warning or above
    /// (the admin rates the rest — the SLAP reserved quadrant, NLB — as a choice, not a hazard).
    public static func reservedRanges(_ prefixes: [ReservedPrefix]) -> [(name: String, range: MACRange)] {
        var out: [(name: String, range: MACRange)] = [
            ("the all-zero placeholder", MACRange(MACAddress(uncheckedValue: 0), MACAddress(uncheckedValue: 0))!),
            ("the broadcast address", MACRange(MACAddress(uncheckedValue: MACAddress.maxValue), MACAddress(uncheckedValue: MACAddress.maxValue))!),
        ]
        for p in prefixes where p.severity >= .warning {
            if case .range(let r) = p.match { out.append((p.name, r)) }
        }
        return out
    }

    /// The refusal of a pool that covers reserved addresses (unless `allowReserved` says the admin
    /// means it: a pool of VRRP MACs for the routers themselves).
    public static func reservedRefusal(of spec: PoolSpec, reserved: [(name: String, range: MACRange)], allowReserved: Bool) -> StoreError? {
        guard !allowReserved else { return nil }
        for r in spec.ranges {
            if let hit = reserved.first(where: { $0.range.overlaps(r) }) {
                return .refused("pool '\(spec.name)' is refused: range \(r) covers \(hit.name) (\(hit.range)); give --allow-reserved if that is intended")
            }
        }
        return nil
    }
}

extension PoolSpec {
    /// Same name, scope and ranges: what makes a second import of one file a no-op.
    public func sameAllocation(as other: PoolSpec) -> Bool {
        name == other.name && scope == other.scope && ranges == other.ranges
            && host.map(HostName.key) == other.host.map(HostName.key) && cluster == other.cluster
    }
}
