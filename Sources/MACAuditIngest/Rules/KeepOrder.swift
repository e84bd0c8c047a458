import MACAuditModel
import Yams

/// Who keeps a MAC that several holders share, from `rules/plan.yaml` (`keep-order:`).
///
/// Holders are compared criterion by criterion; the first criterion that tells two apart decides,
/// and the holder reported first (file, then record) wins the last tie. Everyone but the winner
/// moves to a new MAC. A criterion left out of the list is not considered.
public struct KeepOrder: Sendable, Equatable {
    public enum Criterion: String, Sendable, CaseIterable {
        /// Joined to its NC interface by its port profile, and the two agree on the MAC.
        case controllerConsistent = "controller-consistent"
        /// Has an NC interface, or a port profile that applies SDN policy (ProfileData 1).
        case controllerManaged = "controller-managed"
        /// A static MAC over a dynamic one: Hyper-V may regenerate a dynamic MAC anyway.
        case `static` = "static"
        /// The adapter reports operational status Ok, which it does only while its VM runs.
        case running = "running"
        /// A capture shows the MAC on the holder's VLAN or with one of its IP addresses.
        case seenOnWire = "seen-on-wire"
    }

    public var criteria: [Criterion]

    public init(_ criteria: [Criterion]) { self.criteria = criteria }

    /// The order when `plan.yaml` says nothing: SDN's view first, then what is live.
    public static let standard = KeepOrder([.controllerConsistent, .controllerManaged, .static, .running, .seenOnWire])

    static func load(_ doc: YAMLFields) throws -> KeepOrder {
        try doc.allowOnly(["version", "keep-order"])
        try RuleVersion.check(doc)
        guard let node = doc.node("keep-order") else { return .standard }
        guard case .sequence(let items) = node else { throw doc.error("keep-order", node, "must be a list of criteria") }
        var criteria: [Criterion] = []
        for item in items {
            let known = Criterion.allCases.map(\.rawValue).joined(separator: ", ")
            guard case .scalar(let s) = item, let c = Criterion(rawValue: s.string) else {
                throw RuleError(file: doc.file, line: item.mark?.line, message: "unknown keep-order criterion '\(item.string ?? "?")'; known: \(known)")
            }
            guard !criteria.contains(c) else {
                throw RuleError(file: doc.file, line: item.mark?.line, message: "keep-order lists '\(c.rawValue)' twice")
            }
            criteria.append(c)
        }
        return KeepOrder(criteria)
    }
}
