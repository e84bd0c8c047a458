import Foundation
import MACAuditModel
import MACAuditIngest
/// A check: a pure function of the reconciled snapshot and the rules to findings.
///
/// Each check lives in its own file as `<Name>Check` with a static ``CheckInfo`` that gives its
/// stable id, what it finds, why it matters, its severities and examples. The examples are the
/// check's tests: one parameterised test runs every example of every registered check.
public protocol Check: Sendable {
    static var info: CheckInfo { get }
    /// True for a check that spreads its own work over all cores (one finding per holder at worst):
    /// it runs alone, after the others, since work split inside a check that already shares the
    /// cores with the others runs on one core.
    static var usesAllCores: Bool { get }
    init()
    func findings(in snapshot: Snapshot, rules: Rules) -> [Finding]
}

extension Check {
    public static var usesAllCores: Bool { false }
}

/// The named variants of a check that have their own default severity (`duplicate-mac`'s scopes),
/// each overridable as `<id>.<variant>` in `severities.yaml`.
public protocol CheckVariant: RawRepresentable, Hashable, CaseIterable, Sendable where RawValue == String {}

/// The description of a check, in the style of SwiftLint's `RuleDescription`.
public struct CheckInfo: Sendable {
    public var id: CheckID
    public var summary: String
    public var rationale: String
    /// Severity when the rules do not say otherwise.
    public var severity: Severity
    /// What fixes the check's findings; the planner reads it.
    public var remedy: Remedy
    /// For what no plan can decide (remedy ``Remedy/person``, or a range to widen): the question a
    /// person must answer, which the plan lists beside the finding.
    public var question: String?
    /// Variants with their own default severity, by variant name.
    public var variants: [String: Severity]
    public var examples: [CheckExample]

    public init(id: CheckID, summary: String, rationale: String, severity: Severity, remedy: Remedy, question: String? = nil,
                examples: [CheckExample]) {
        self.id = id; self.summary = summary; self.rationale = rationale; self.severity = severity; self.remedy = remedy
        self.question = question; self.variants = [:]; self.examples = examples
    }

    /// A check with variants: `variants` gives each case of the check's `Variant` enum its default.
    public init<V: CheckVariant>(id: CheckID, summary: String, rationale: String, severity: Severity, remedy: Remedy,
                                 question: String? = nil, variants: [V: Severity], examples: [CheckExample]) {
        self.init(id: id, summary: summary, rationale: rationale, severity: severity, remedy: remedy, question: question, examples: examples)
        self.variants = Dictionary(uniqueKeysWithValues: variants.map { ($0.key.rawValue, $0.value) })
    }

    /// The finding of a variant for `holders`, at the severity the rules give it; nil when off.
    /// `subjects`: the holders' subjects when the caller has made them already (for its message).
    func finding<V: CheckVariant>(_ variant: V?, severity given: Severity? = nil, mac: MACAddress?, message: String, holders: [Holder],
                                  subjects: [Subject]? = nil, extraSubjects: [Subject] = [], extraEvidence: [Evidence] = [], rules: Rules) -> Finding? {
        make(variant?.rawValue, severity: given, mac: mac.map(MACField.valid) ?? .absent, message: message, holders: holders,
             subjects: subjects, extraSubjects: extraSubjects, extraEvidence: extraEvidence, rules: rules)
    }

    /// The finding for `holders`, at the severity the rules give this check; nil when off.
    func finding(severity given: Severity? = nil, mac: MACAddress?, message: String, holders: [Holder],
                 extraSubjects: [Subject] = [], extraEvidence: [Evidence] = [], rules: Rules) -> Finding? {
        make(nil, severity: given, mac: mac.map(MACField.valid) ?? .absent, message: message, holders: holders,
             extraSubjects: extraSubjects, extraEvidence: extraEvidence, rules: rules)
    }

    /// The finding about a MAC field as it was read (an invalid one keeps its text).
    func finding(field: MACField, message: String, holders: [Holder], rules: Rules) -> Finding? {
        make(nil, severity: nil, mac: field, message: message, holders: holders, extraSubjects: [], extraEvidence: [], rules: rules)
    }

    private func make(_ variant: String?, severity given: Severity?, mac: MACField, message: String, holders: [Holder],
                      subjects: [Subject]? = nil, extraSubjects: [Subject], extraEvidence: [Evidence], rules: Rules) -> Finding? {
        let base = given ?? variant.flatMap { variants[$0] } ?? severity
        guard let level = rules.severities.severity(check: id.rawValue, variant: variant, default: base) else { return nil }
        return Finding(check: id, variant: variant, severity: level, mac: mac, message: message,
                       subjects: (subjects ?? holders.map(\.subject)) + extraSubjects,
                       evidence: holders.flatMap(\.evidence) + extraEvidence,
                       holders: holders.map { HolderRef($0.position) }, remedy: remedy)
    }
}

/// An example inventory and the MACs a check must report for it — none for a non-triggering example.
public struct CheckExample: Sendable {
    public var name: String
    public var inventory: Inventory
    public var rules: Rules
    /// Canonical MACs (or verbatim invalid strings) the check reports, in any order; empty = no finding.
    public var triggers: [String]
    /// The severity the first finding must have, when the example pins one.
    public var severity: Severity?
    /// Ethernet frames of a capture the example sees (wire checks), decoded by the real decoder.
    public var frames: [[UInt8]]
    /// Pending reservations of the pool database the example has.
    public var reservations: [Reservation]

    public init(_ name: String, _ inventory: Inventory = Inventory(), rules: Rules = Rules(), frames: [[UInt8]] = [],
                reservations: [Reservation] = [], triggers: [String] = [], severity: Severity? = nil) {
        self.name = name; self.inventory = inventory; self.rules = rules; self.triggers = triggers; self.severity = severity
        self.frames = frames; self.reservations = reservations
    }

    /// The reconciled snapshot the example describes.
    public var snapshot: Snapshot {
        Reconciler.reconcile(inventory, extraPools: rules.pools, wire: frames.isEmpty ? nil : FrameBuilder.snapshot(frames),
                             reservations: reservations)
    }
}

/// Every check, in catalog order. Adding a check = one file + one line here.
public enum CheckRegistry {
    public static let all: [any Check.Type] = [
        DuplicateMACCheck.self,
        InvalidMACCheck.self,
        GroupBitCheck.self,
        ReservedPrefixCheck.self,
        OutOfPoolCheck.self,
        PoolOverlapCheck.self,
        ForeignPoolDynamicCheck.self,
        PoolExhaustionCheck.self,
        MACMismatchCheck.self,
        PortProfileMismatchCheck.self,
        DynamicMACOnSDNCheck.self,
        NCOrphanCheck.self,
        UnmanagedAdapterCheck.self,
        WireUnknownMACCheck.self,
        IPConflictCheck.self,
        EthernetMismatchCheck.self,
        WireGroupSourceCheck.self,
        WireDuplicateCheck.self,
        WireIPMismatchCheck.self,
        ReservationConflictCheck.self,
        UnregisteredOUICheck.self,
        ForeignOUICheck.self,
    ]

    /// Each check's description by id.
    public static let infos: [CheckID: CheckInfo] = Dictionary(uniqueKeysWithValues: all.map { ($0.info.id, $0.info) })

    /// Every key `severities.yaml` accepts: check ids and `<id>.<variant>`.
    public static var severityKeys: Set<String> {
        Set(all.flatMap { c in [c.info.id.rawValue] + c.info.variants.keys.map { "\(c.info.id.rawValue).\($0)" } })
    }

    /// Runs every check that the rules leave on, on all cores (checks are pure functions of the
    /// snapshot), and returns the findings in report order.
    public static func run(_ snapshot: Snapshot, rules: Rules) -> [Finding] {
        let on = all.filter { !rules.severities.isOff($0.info.id.rawValue) }
        let shared = on.filter { !$0.usesAllCores }, alone = on.filter { $0.usesAllCores }
        let profiling = PhaseClock.enabled
        let checks = shared + alone
        let results = concurrentMap(shared.count) { timedFindings(shared[$0], snapshot, rules, profiling) }
            + alone.map { timedFindings($0, snapshot, rules, profiling) }
        if profiling {
            for (check, (found, seconds)) in zip(checks, results) where seconds >= 0.01 {
                PhaseClock.say(String(format: "  check %@ %.3f s, %d finding(s)", check.info.id.rawValue, seconds, found.count))
            }
        }
        return reportOrdered(results.flatMap(\.0))
    }

    /// `findings.sorted(by: Finding.reportOrder)`, fast for a neglected fleet's hundreds of thousands:
    /// positions are sorted by a packed key (severity, the check's rank, the MAC) and only ties or
    /// invalid MACs go to the full comparison, so no finding is copied while sorting.
    static func reportOrdered(_ findings: [Finding]) -> [Finding] {
        let rank = Dictionary(uniqueKeysWithValues: Set(findings.map(\.check)).sorted().enumerated().map { ($1, UInt64($0)) })
        let keys = findings.map { f -> (head: UInt64, mac: UInt64?) in
            let severity = UInt64(3 - (Severity.allCases.firstIndex(of: f.severity) ?? 0))
            if case .valid(let mac) = f.mac { return (severity << 56 | rank[f.check]! << 40, mac.value) }
            return (severity << 56 | rank[f.check]! << 40, nil)
        }
        let order = findings.indices.sorted { i, j in
            let a = keys[i], b = keys[j]
            if a.head != b.head { return a.head < b.head }
            if let x = a.mac, let y = b.mac, x != y { return x < y }
            return Finding.reportOrder(findings[i], findings[j])
        }
        return order.map { findings[$0] }
    }

    /// A check's findings and, when profiling, the seconds it took.
    static func timedFindings(_ check: any Check.Type, _ snapshot: Snapshot, _ rules: Rules, _ profiling: Bool) -> ([Finding], Double) {
        let start = DispatchTime.now().uptimeNanoseconds
        let found = check.init().findings(in: snapshot, rules: rules)
        return (found, profiling ? Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 : 0)
    }
}

/// Small builders that keep check examples short.
enum Example {
    static func mac(_ s: String) -> MACField { MACField(parsing: s) }

    static func vm(_ vm: String, _ mac: String, host: String = "HV01", cluster: String = "C1", dynamic: Bool = false,
                   vlan: Int? = nil, switchId: String? = "sw-1", name: String = "Network Adapter") -> Adapter {
        Adapter(host: host, cluster: cluster, vmName: vm, vmId: nil, name: name, id: "Microsoft:\(vm)\\\(name)",
                mac: MACField(parsing: mac), dynamicMAC: dynamic, switchName: "SDN", switchId: switchId, vlan: vlan)
    }

    static func nic(_ id: String, _ mac: String?, instance: String? = nil, cluster: String = "C1",
                    allocation: AllocationMethod = .static, subnet: String? = nil) -> ControllerInterface {
        ControllerInterface(resourceId: id, cluster: cluster, instanceId: instance ?? "inst-\(id)", mac: MACField(parsing: mac),
                            allocation: allocation, subnetRef: subnet)
    }

    static func profile(_ vm: String, _ mac: String, instance: String?, data: Int = 1) -> PortProfile {
        PortProfile(cluster: "C1", vmName: vm, mac: MACField(parsing: mac), profileId: instance, profileData: data)
    }

    static func hostPool(_ host: String, _ first: String, _ last: String, cluster: String = "C1") -> Pool {
        Pool(name: "\(host) dynamic", range: range(first, last), kind: .hostDynamic, host: host, cluster: cluster)
    }

    static func ncPool(_ name: String, _ first: String, _ last: String, cluster: String = "C1") -> Pool {
        Pool(name: name, range: range(first, last), kind: .controller, cluster: cluster)
    }

    static func reservation(_ mac: String, for holder: String, run: Int64 = 1) -> Reservation {
        Reservation(mac: try! MACAddress(parsing: mac), pool: "p", holder: holder, runId: run, state: .pending, createdAt: Date(timeIntervalSince1970: 0))
    }

    /// Rules with a small registry: Microsoft's and Cisco's MA-L blocks and one MA-S block of an OUI
    /// that is otherwise unassigned.
    static let registryRules: Rules = {
        var rules = Rules()
        let csv = """
            Registry,Assignment,Organization Name,Organization Address
            MA-L,00155D,Microsoft Corporation,One Microsoft Way Redmond WA US 98052-8300
            MA-L,F4BD9E,"Cisco Systems, Inc",80 West Tasman Drive San Jose CA US 94568
            MA-S,70B3D5F2F,TELEPLATFORMS,"Polbina st., 3/1 Moscow  RU 109388 "
            """
        rules.registry = try! OUIRegistry.make([("example.csv", "ieee-data", Date(timeIntervalSince1970: 0), Array(csv.utf8))])
        return rules
    }()

    static func range(_ first: String, _ last: String) -> MACRange {
        MACRange(try! MACAddress(parsing: first), try! MACAddress(parsing: last))!
    }
}

extension Rules {
    /// Loads a rules directory, its `severities.yaml` checked against the registry's checks and variants.
    public static func load(directory: String) throws -> Rules {
        try load(directory: directory, severityKeys: CheckRegistry.severityKeys)
    }
}
